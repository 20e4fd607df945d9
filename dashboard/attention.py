"""What needs a leader's attention and what moved on the card: the dashboard's lists (the
figures' definitions are in dashboard/figures.py's docstring)."""

import datetime
from urllib.parse import urlencode

from django.db.models import BooleanField, Case, F, QuerySet, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dashboard.amounts import money
from dashboard.kept import keep
from projects import month_ends, periods, warnings, watch
from projects.flags import flags_of
from projects.models import Problem, StageChange
from projects.periods import Scope, live_q
from projects.selectors import flagged_then_q, with_flags, with_flags_at
from projects.stages import Stage, kind_of

FLAG = BooleanField()


def _stage_label(code: str) -> str:
    try:
        return str(Stage(code).label)
    except ValueError:
        return ""


def month_changes(scope: Scope) -> QuerySet:
    return StageChange.objects.filter(
        scope.project_q("project__"),
        changed_at__gte=scope.month_start_at,
        changed_at__lt=scope.end_at,
    )


def _change_dicts(rows) -> list[dict]:
    labels = {stage.value: str(stage.label) for stage in Stage}
    kinds: dict = {}
    result = []
    for row in rows:
        moved = (row["from_stage"], row["to_stage"])
        if moved not in kinds:
            kind = kind_of(*moved)
            kinds[moved] = (kind.value, str(kind.label))
        kind, kind_label = kinds[moved]
        result.append(
            {
                "project_id": row["project_id"],
                "project_name": row["project__name"],
                "from_stage": row["from_stage"],
                "from_label": labels.get(row["from_stage"], ""),
                "to_stage": row["to_stage"],
                "to_label": labels.get(row["to_stage"], ""),
                "kind": kind,
                "kind_label": kind_label,
                "changed_at": timezone.localtime(row["changed_at"]).isoformat(),
                "reason": row["reason"],
            }
        )
    return result


def latest_moves(scope: Scope, limit: int | None = None) -> list[dict]:
    """Moves of existing cards during month M, newest first (creations are counted as new)."""
    rows = (
        month_changes(scope)
        .exclude(from_stage="")
        .order_by("-changed_at", "-id")
        .values("project_id", "project__name", "from_stage", "to_stage", "changed_at", "reason")
    )
    return _change_dicts(rows[:limit] if limit else rows)


# --- attention lists -----------------------------------------------------------------------


def attention(scope: Scope, limit: int = 10, today: datetime.date | None = None) -> dict:
    """What needed a leader's attention on the scope's attention day (today for the current
    month, the period's last day for a past one), the `limit` most important of each list.

    `totals` gives each list's full length; `queries` the list showing all of it.

    Today's lists (a current period's) are the same for every leader, and most writes of a
    working day change nothing of them: they are kept in the shared cache under the version
    of what they read (`projects.watch`), the day, a closed month's cards and the language of
    their labels. One query for the version (and the cards' key for a closed month), or seven
    to build them.
    """
    today = today or timezone.localdate()
    day = scope.attention_day(today)
    if day != today:
        # A past day's warnings are worked out from the entries (a late filing changes them)
        # and the thresholds: built every time, as a past period is seldom read.
        return _attention(scope, limit, today, day, warnings.thresholds())
    parts = [str(watch.version()), day.isoformat(), translation.get_language(), str(limit)]
    if scope.period_end < today:
        parts.append(month_ends.cards_key(scope.last_month))
    key = f"figures:attention:{':'.join(parts)}:{scope.key()}"
    return keep(key, lambda: _attention(scope, limit, today, day, None))


def _attention(scope: Scope, limit: int, today: datetime.date, day: datetime.date, limits):
    overdue = (
        Problem.objects.filter(periods.overdue_problems_at(day), scope.project_q("project__"))
        .select_related("project", "unit")
        .order_by("deadline", "id")
    )
    live = scope.projects(year_start=False).filter(live_q())
    if day == today:
        # Today's warnings are stored, kept to the rule by every writer (projects.warnings).
        live = with_flags(live, today=today).annotate(staleness_then=F("staleness"))
    else:
        live = with_flags_at(live, day, limits)
    # One pass over the live projects, largest first, gives both lists' lengths and tops;
    # only the shown rows are loaded with their flags.
    ranked = list(
        live.annotate(
            # Booleans: the database's own, read without a converter per row.
            flagged=Case(When(flagged_then_q(), then=True), default=False, output_field=FLAG),
            missing=Case(When(four_one_missing=True, then=True), default=False, output_field=FLAG),
        )
        .order_by("-total_investment", "id")
        .values_list("pk", "flagged", "missing")
    )
    flagged_ids = [pk for pk, flagged, _missing in ranked if flagged]
    four_one_ids = [pk for pk, _flagged, missing in ranked if missing]
    shown = {
        project.pk: project
        for project in live.select_related("unit").filter(
            pk__in=flagged_ids[:limit] + four_one_ids[:limit]
        )
    }
    return {
        "day": day.isoformat(),
        "overdue_problems": [
            {
                "id": problem.pk,
                "project_id": problem.project_id,
                "project_name": problem.project.name,
                "category": str(problem.get_category_display()),
                "description": problem.description,
                "unit": str(problem.unit),
                "deadline": problem.deadline.isoformat(),
                "days_overdue": (day - problem.deadline).days,
            }
            for problem in overdue[:limit]
        ],
        "flagged_projects": [
            {
                **_project_dict(project),
                "flags": [str(flag.label) for flag in flags_of(project, project.staleness_then)],
            }
            # A project that left the list between the two reads is not shown.
            for project in (shown[pk] for pk in flagged_ids[:limit] if pk in shown)
        ],
        "four_one_missing": [
            {**_project_dict(shown[pk]), "missing": _missing(shown[pk])}
            for pk in four_one_ids[:limit]
            if pk in shown
        ],
        "changed_this_month": latest_moves(scope, limit=limit),
        "totals": {
            "overdue_problems": overdue.count(),
            "flagged_projects": len(flagged_ids),
            "four_one_missing": len(four_one_ids),
        },
        "queries": {
            # The problem list (not the project list): the figure counts problems.
            "overdue_problems": _problem_query(scope, day),
            "flagged_projects": scope.figure_query("flagged"),
            "four_one_missing": scope.figure_query("four_one_missing"),
        },
    }


def _problem_query(scope: Scope, day: datetime.date) -> str:
    """The problem list's querystring for the problems overdue on `day` in the scope."""
    names = {"chain_id": "chain", "place_id": "place", "unit_id": "project_unit"}
    names["leader_id"] = "leader"
    params = {names[name]: value for name, value in scope.filters().items()}
    return urlencode({**params, "overdue_on": day.isoformat()})


def _project_dict(project) -> dict:
    return {
        "project_id": project.pk,
        "project_name": project.name,
        "code": project.code,
        "stage": project.stage_then,
        "stage_label": _stage_label(project.stage_then),
        "total_investment": money(project.total_then),
        "unit": str(project.unit),
    }


MISSING_LABELS = {"leader": _("包抓领导"), "team": _("专班"), "manager": _("项目管家")}


def _missing(project) -> list[dict]:
    """What a key project lacks of 四个一 (the same rule as selectors.four_one_missing_q)."""
    missing = []
    if project.leader_id is None:
        missing.append("leader")
    if not project.has_team:
        missing.append("team")
    if project.unit.uses_project_manager and project.manager_id is None:
        missing.append("manager")
    return [{"code": code, "label": str(MISSING_LABELS[code])} for code in missing]
