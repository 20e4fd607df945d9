"""The leaders' dashboard (领导驾驶舱): one page over dashboard.figures."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dashboard import figures
from dashboard.forms import DashboardFilterForm
from jinchang.seedfiles import quoted_figures
from org import roles
from org.roles import reader_required


@reader_required
def index(request):
    form = DashboardFilterForm(request.GET, today=timezone.localdate())
    scope = form.scope(request.user)
    data = figures.dashboard(scope, moves=False)
    data["list_url"] = reverse("projects:list")
    data["problem_list_url"] = reverse("projects:problem_list")
    mine = scope.leader_id is not None
    return render(
        request,
        "dashboard/index.html",
        {
            "form": form,
            "scope": scope,
            "data": data,
            # What the charts draw (static/js/dashboard.js), not the whole dict: the month's
            # list of moves alone would double the page.
            "chart_data": {key: data[key] for key in CHART_KEYS},
            "mine": mine,
            "can_switch_mine": roles.is_leader(request.user),
            "mine_toggle_query": _toggle_mine(request.GET, not mine),
            "quoted": _quoted_figures(scope),
        },
    )


CHART_KEYS = (
    "scope",
    "headline",
    "headline_queries",
    "by_stage",
    "by_chain",
    "by_place",
    "monthly_funds",
    "stage_funnel",
    "unit_scoreboard",
    "list_url",
)


def _toggle_mine(params, on: bool) -> str:
    """The dashboard's current querystring with "my projects" switched on or off."""
    query = params.copy()
    query.pop("mine", None)
    if on:
        query["mine"] = "1"
    return query.urlencode()


# Which headline card a quoted figure sits beside, by the start of its key in seeds/figures.yaml.
QUOTED_CARDS = {
    "projects_implemented_": "projects_in_progress",
    "funds_in_place_2": "funds_in_place",
    "signed_funds_arrival_rate": "arrival_rate",
    "key_projects_start_rate": "start_rate",
    "key_projects_investment": "investment_completed",
}


def _quoted_figures(scope) -> dict:
    """The figures the city itself reported for exactly this period, by headline card.

    They are citywide, so a filtered view shows none. The seeds loader provides them through
    jinchang.seedfiles.quoted_figures() (seeds/figures.yaml).
    """
    if scope.filters():
        return {}

    cards = {}
    for figure in quoted_figures().values():
        if figure.end != scope.period_end or figure.start not in (None, scope.period_start):
            continue
        for prefix, card in QUOTED_CARDS.items():
            if figure.key.startswith(prefix):
                cards.setdefault(card, figure)
    return cards
