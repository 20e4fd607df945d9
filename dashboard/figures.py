"""The figures leaders read, computed in one place.

The leaders' dashboard, the REST API and the monthly dispatch report all call this module, so
a figure can never read one way on a page and another way in a report. Every function takes a
`Scope` (a year, the month the figures run to, and optional chain/place/unit/leader filters)
and runs a fixed number of SQL queries whatever the number of projects or months: grouped and
conditional aggregates (`values().annotate()`, `filter=Q(...)`), never a query per row.

Definitions (amounts in 万元, percentages as Decimal rounded to 0.01, None when undefined):

- Period: 1 January of `year` to the last day of `month`. "Same period last year" is 1 January
  to the end of the same month of `year - 1`.
- Funds in place YTD (到位资金): the sum of `MonthlyProgress.funds_in_place` for the months
  January..M, over the scope's projects. Dropped projects' past funds still count: money that
  arrived arrived. Increment = YTD - last year's YTD; growth rate = increment / last year x 100.
- Investment completed YTD (完成投资): the same sum over `investment_completed`.
- Committed investment of a project: its contracted investment (签约投资), or its total
  investment where no separate contracted figure was recorded.
- Projects under implementation (实施项目): projects signed by the end of the period that were
  still being carried out at some point in the year: not dropped before 1 January and not in
  operation before 1 January. A project dropped or put into operation during the year counts:
  it was being implemented this year, and its funds are in the year's total.
- Fund arrival rate of recent signings (近两年签约项目资金到位率): projects signed from 1 January
  of `year - 1` to the end of the period (dropped ones included, a failed signing lowers the
  rate); their funds in place from the start of that window to the end of the period divided by
  their committed investment x 100.
- The year's key projects (年度重点项目) and start rate (开工率): the projects under
  implementation above the key-project threshold (total investment > 5000万元); started = with
  an actual start date on or before the end of the period (a project that started in an
  earlier year and is still being built has started).
- New signings (新签约): projects with a signing date in January..M; their committed investment.
- Stage, chain, place, unit and leader breakdowns describe the card as it stood at the end of
  the period (count and total investment then of live projects, i.e. not dropped; `stages`
  counts every stage), with funds in place YTD of the period beside them. The row of projects
  with no chain (place, unit, leader) has id None and no drill-down.
- Every set of projects a figure counts is defined once in `projects.periods` (as of the
  period's end, from the history) and each figure's `query` opens the project list on exactly
  that set (`figure=<name>&year=&month=`), whose footer repeats the figure.
- A comparison with no data (no progress at all in last year's same period) is None (无可比数据),
  never 0 or a growth rate.
- Stage movements: the StageChange rows written during month M; the funnel: the highest stage
  each project in play during the year had reached by the end of the period, from the history
  (history is data: a project without StageChange rows is not in the funnel).
- Attention lists (overdue problems, warnings) are as of today for the current month, and as of
  the period's last day for a past period (`Scope.attention_day`).
- 三亮: unit targets (AnnualTarget) against the unit's actuals for the period; 序时进度 (time
  progress) by the end of month M is M/12 of the year's target. A unit 10 to 30 points behind
  it is marked yellow, more than 30 points behind red. Targets are set for a unit's whole
  portfolio, so the scoreboard ignores the chain, place and leader filters.
- Forecast (only for a year not yet over): expected funds in place by year end = funds in
  place YTD + the open pipeline (projects on the color board at the period's end) weighted
  by stage (StageWeight, editable in the admin), where a project's pipeline is its committed
  investment not yet in place.
"""

import datetime

from django.db.models import (
    Count,
    Q,
)
from django.utils import timezone

from dashboard.amounts import (
    CENT,
    MONEY,
    ZERO,
    money,
    month_sums,
    percent,
    progress_of,
    sum_of,
    sums_by,
    sums_by_each,
)
from dashboard.attention import attention, latest_moves, month_changes
from dashboard.kept import keep
from dashboard.targets import forecast, mark_for, unit_counts, unit_scoreboard
from projects import month_ends, periods
from projects.models import Project
from projects.periods import (
    Scope,
    committed_then,
    existing_q,
    in_play_q,
    in_progress_q,
    key_of_year_q,
    key_started_q,
    recent_signings_q,
    rows_once,
    signed_in_period_q,
)
from projects.stages import ACTIVE, COLORS, ORDER, Stage, rank

__all__ = [
    "CENT",
    "MONEY",
    "Scope",
    "dashboard",
    "forecast",
    "mark_for",
    "percent",
    "unit_scoreboard",
]


# The card in the order the dashboard shows it: progress order, then dropped.
STAGES = [*ORDER, Stage.DROPPED]


def _ytd_q(scope: Scope) -> Q:
    return periods.ytd_months_q(scope)


def year_so_far(today: datetime.date) -> Scope:
    """This year up to and including the current month, whatever progress is filed for it:
    the "this year" of my projects and the chain overview. (The dashboard defaults to the last
    complete month instead, and says so.)"""
    return Scope(year=today.year, month=today.month)


# --- headline ------------------------------------------------------------------------------


def headline(scope: Scope, kept: dict | None = None) -> dict:
    """The headline cards: the card counts (`cards`), the month sums (`month_sums`), and the
    recent signings' funds (one query)."""
    previous = scope.previous_year()
    projects = (kept or cards(scope))["headline"]
    sums = month_sums(scope, previous.period_start, scope.last_month)

    def ytd(period: Scope, field: str):
        return sum(
            row[field]
            for month, row in sums.items()
            if period.period_start <= month <= period.last_month
        )

    recent_funds = _recent_funds(scope)
    # No entry at all in last year's period: nothing to compare with (无可比数据), not zero.
    comparable = ytd(previous, "entries") > 0
    funds_prev = money(ytd(previous, "funds")) if comparable else None
    completed_prev = money(ytd(previous, "completed")) if comparable else None
    funds = money(ytd(scope, "funds"))
    increment = funds - funds_prev if comparable else None
    return {
        "projects_in_progress": projects["projects_in_progress"],
        "funds_in_place_ytd": funds,
        "funds_in_place_prev_ytd": funds_prev,
        "funds_increment": increment,
        "funds_growth_rate": percent(increment, funds_prev) if comparable else None,
        "recent_contracted": money(projects["recent_contracted"]),
        "recent_funds": money(recent_funds),
        "arrival_rate": percent(recent_funds, projects["recent_contracted"]),
        "key_projects_of_year": projects["key_projects_of_year"],
        "key_projects_started": projects["key_projects_started"],
        "start_rate": percent(projects["key_projects_started"], projects["key_projects_of_year"]),
        "investment_completed_ytd": money(ytd(scope, "completed")),
        "investment_completed_prev_ytd": completed_prev,
        "new_signings": projects["new_signings"],
        "new_signings_contracted": money(projects["new_signings_contracted"]),
    }


def _recent_funds(scope: Scope):
    """Funds in place of the recent signings from 1 January of the year before to the end of
    the period (two queries)."""
    previous = scope.previous_year()
    today = timezone.localdate()  # one reading: the query and the branch agree at midnight
    recent = scope.projects(year_start=False, today=today).filter(recent_signings_q(scope))
    if scope.period_end < today:
        # A closed month's rows carry each project's funds to date: those, less what came in
        # before the window (rare: entries before the signing).
        sums = recent.aggregate(
            to_date=sum_of("end_row__funds_to_date"),
            # One look-up per project in the (project, month) index, not a scan of old months.
            earlier=sum_of(periods.entries_sum(Q(month__lt=previous.period_start))),
        )
        return sums["to_date"] - sums["earlier"]
    # Driven from the recently signed projects through the (project, month) unique index.
    return (
        progress_of(scope)
        .filter(
            project_id__in=recent.values("pk"),
            month__gte=previous.period_start,
            month__lte=scope.last_month,
        )
        .aggregate(total=sum_of("funds_in_place"))["total"]
    )


def headline_queries(scope: Scope) -> dict:
    """Where each headline card drills down to: the project list on exactly the card's set."""
    return {
        "projects_in_progress": scope.figure_query("in_progress"),
        "funds_in_place": scope.figure_query("funds"),
        "arrival_rate": scope.figure_query("recent_signings"),
        "key_projects_of_year": scope.figure_query("key_of_year"),
        "key_projects_started": scope.figure_query("key_started"),
        "investment_completed": scope.figure_query("completed"),
        "new_signings": scope.figure_query("new_signings"),
    }


# --- breakdowns ----------------------------------------------------------------------------


# For each breakdown: the project field, the model naming it, and the list's query parameter.
DIMENSIONS = {
    "chain": ("chain_id", "chain", "chain"),
    "place": ("place_id", "place", "place"),
    "unit": ("unit_id", "unit", "unit"),
    "leader": ("leader_id", "leader", "leader"),
}


def _count_cards(scope: Scope) -> dict:
    """Everything the figures count on the card as it stood at the period's end (four
    queries): the headline counts and the funnel in one pass over the projects, each
    breakdown's projects by stage then, and each unit's signings and starts (三亮)."""
    funnel = {}
    for i, stage in enumerate(ACTIVE):
        reached = in_play_q() & Q(reached_then__gte=i)
        entered = reached & (Q(reached_before__isnull=True) | Q(reached_before__lt=i))
        funnel[f"funnel_{stage.value}"] = Count("id", filter=reached)
        funnel[f"funnel_{stage.value}_entered"] = Count("id", filter=entered)
    counts = rows_once(scope.projects()).aggregate(
        projects_in_progress=Count("id", filter=in_progress_q(scope)),
        key_projects_of_year=Count("id", filter=key_of_year_q(scope)),
        key_projects_started=Count("id", filter=key_started_q(scope)),
        new_signings=Count("id", filter=signed_in_period_q(scope)),
        new_signings_contracted=sum_of(committed_then(), filter=signed_in_period_q(scope)),
        recent_contracted=sum_of(committed_then(), filter=recent_signings_q(scope)),
    )
    # Apart: in one aggregate with the counts above, SQLite read a year-start column wrongly.
    counts.update(rows_once(scope.projects()).aggregate(**funnel))
    return {
        "headline": counts,
        "groups": _card_groups(scope),
        "units": unit_counts(scope),
    }


def _card_groups(scope: Scope) -> dict:
    """Each breakdown's projects by stage at the period's end: {dimension: {id: {stage:
    [count, investment]}}} (one grouped query of a few thousand groups, rolled up here)."""
    fields = [dim[0] for dim in DIMENSIONS.values()]
    groups = (
        scope.projects()
        .filter(existing_q())
        .order_by()
        .values(*fields, "stage_then")
        .annotate(count=Count("id"), investment=sum_of("total_then"))
    )
    rollup: dict = {name: {} for name in DIMENSIONS}
    for group in groups:
        for name, (field, *_rest) in DIMENSIONS.items():
            cell = (
                rollup[name].setdefault(group[field], {}).setdefault(group["stage_then"], [0, ZERO])
            )
            cell[0] += group["count"]
            cell[1] += group["investment"]
    return rollup


def _groups(scope: Scope) -> dict:
    """`_card_groups`, kept with the card counts for a closed month."""
    if scope.period_end < timezone.localdate():
        return cards(scope)["groups"]
    return _card_groups(scope)


def cards(scope: Scope, today: datetime.date | None = None) -> dict:
    """The card counts of `_count_cards` for the scope.

    A closed month's card is fixed by its history: only a correction of the past changes it
    (`projects.month_ends.cards_changed`, bumped in the writer's transaction). Its counts are
    kept in the shared cache under that version, so every leader reads the same counts built
    once, and the first read after a correction builds them again. An open period's card
    moves with every filing: built every time. A cache that fails is skipped, never an error.
    """
    today = today or timezone.localdate()
    if scope.period_end >= today:
        return _count_cards(scope)
    built = month_ends.cards_key(datetime.date(scope.year - 1, 12, 1), scope.last_month)
    return keep(f"figures:cards:{built}:{scope.key()}", lambda: _count_cards(scope))


def breakdowns(scope: Scope, kept: dict | None = None) -> dict:
    """The stage table and the chain, place, unit and leader breakdowns: the card counts,
    each dimension's names (four small queries) and funds in place (`sums_by`)."""
    groups = (kept or cards(scope))["groups"]
    funds = sums_by_each(scope, DIMENSIONS, scope.period_start, scope.last_month)
    result = {"by_stage": _stage_rows(scope, groups)}
    for dimension in DIMENSIONS:
        result[f"by_{dimension}"] = _breakdown(
            scope, dimension, groups[dimension], funds[dimension]
        )
    return result


def by_stage(scope: Scope) -> list[dict]:
    """Count and total investment of the scope's projects at each stage at the period's end."""
    return _stage_rows(scope, _groups(scope))


def _stage_rows(scope: Scope, groups: dict) -> list[dict]:
    counts: dict = {}
    for by_stage in groups["chain"].values():
        for stage, (count, investment) in by_stage.items():
            row = counts.setdefault(stage, {"count": 0, "investment": ZERO})
            row["count"] += count
            row["investment"] += investment
    result = []
    for stage in STAGES:
        row = counts.get(stage.value, {})
        result.append(
            {
                "stage": stage.value,
                "label": str(stage.label),
                "color": COLORS[stage],
                "count": row.get("count", 0),
                "investment": money(row.get("investment")),
                "query": scope.figure_query("stage", at_stage=stage.value),
            }
        )
    return result


def _names(dimension: str, keys) -> dict:
    """Each id's name and sort key: the reference order (the chains' 2+4 order, places',
    units'), then the name."""
    model = Project._meta.get_field(DIMENSIONS[dimension][1]).related_model
    ids = [key for key in keys if key is not None]
    if dimension == "leader":
        rows = model.objects.filter(pk__in=ids).values_list("pk", "full_name", "username")
        return {pk: (full or user, ()) for pk, full, user in rows}
    short = ["short_name"] if dimension in ("chain", "unit") else []
    rows = model.objects.filter(pk__in=ids).values_list("pk", *short, "name", "order")
    return {row[0]: (next((n for n in row[1:-1] if n), ""), (row[-1],)) for row in rows}


def _breakdown(scope: Scope, dimension: str, groups: dict, funds: dict | None = None) -> list:
    """One breakdown: its card counts with each row's name and funds in place."""
    param = DIMENSIONS[dimension][2]
    if funds is None:
        funds = sums_by(scope, dimension, scope.period_start, scope.last_month)
    names = _names(dimension, groups)
    rows: dict = {}
    sort_keys: dict = {}
    for key, by_stage in groups.items():
        name, order = names.get(key, ("", ()))
        row = rows[key] = {
            "id": key,
            "name": name,
            "count": 0,
            "investment": ZERO,
            "funds_ytd": money(funds.get(key, {}).get("funds")),
            "stages": {stage.value: 0 for stage in STAGES},
            # The list has no "not filled in" filter, so that row has no drill-down.
            "query": scope.figure_query("live", **{param: key}) if key is not None else None,
        }
        # "None" (not filled in) last.
        sort_keys[key] = (key is None, order, name, key or 0)
        for stage, (count, investment) in by_stage.items():
            row["stages"][stage] += count
            if stage != Stage.DROPPED:
                row["count"] += count
                row["investment"] = money(row["investment"] + investment)
    return sorted(rows.values(), key=lambda row: sort_keys[row["id"]])


def by_chain(scope: Scope) -> list[dict]:
    return _breakdown(scope, "chain", _groups(scope)["chain"])


def by_place(scope: Scope) -> list[dict]:
    return _breakdown(scope, "place", _groups(scope)["place"])


def by_unit(scope: Scope) -> list[dict]:
    return _breakdown(scope, "unit", _groups(scope)["unit"])


def by_leader(scope: Scope) -> list[dict]:
    """The leaders' 四个一 portfolios; the row with id None holds projects without a leader."""
    return _breakdown(scope, "leader", _groups(scope)["leader"])


# --- time series and history ---------------------------------------------------------------


def monthly_funds(scope: Scope) -> dict:
    """Funds in place per month of the year and of the year before (one query).

    This year's months after M are None (outside the period), so a chart leaves them empty;
    so are last year's months without any entry (无可比数据).
    """
    previous = scope.previous_year()
    sums = month_sums(scope, previous.period_start, scope.last_month)
    totals = {month: row["funds"] for month, row in sums.items()}
    months = list(range(1, 13))
    this_year = [
        money(totals.get(datetime.date(scope.year, m, 1))) if m <= scope.month else None
        for m in months
    ]
    # A month of last year with no entry at all has nothing to compare with: None.
    last_year = [
        money(total)
        if (total := totals.get(datetime.date(scope.year - 1, m, 1))) is not None
        else None
        for m in months
    ]
    return {
        "months": months,
        "year": scope.year,
        "previous_year": scope.year - 1,
        "this_year": this_year,
        "last_year": last_year,
        "this_year_cumulative": _running(this_year),
        "last_year_cumulative": _running(last_year),
    }


def _running(values: list) -> list:
    total, result = ZERO, []
    for value in values:
        if value is None:
            result.append(None)
            continue
        total += value
        result.append(total)
    return result


def stage_movements(scope: Scope, *, moves: bool = True) -> dict:
    """What happened on the card during month M (two queries: counts, then the moves; without
    `moves`, the counts alone).

    new: projects entered; upgrades/downgrades: moves up or down the card (a move into
    operation is an upgrade, also counted in to_operating); drops; restores (dropped -> red).
    Counted by (from, to) pair, with the card's own order (`projects.stages.rank`): a month
    has a few hundred moves over a dozen pairs, and Django compiled the six filtered counts
    over SQL ranks slower than PostgreSQL ran them.
    """
    pairs = (
        month_changes(scope)
        .order_by()
        .values_list("from_stage", "to_stage")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(
        ("new", "upgrades", "downgrades", "drops", "restores", "to_operating"), 0
    )
    for from_stage, to_stage, n in pairs:
        if not from_stage:
            counts["new"] += n
            continue
        if to_stage == Stage.DROPPED:
            counts["drops"] += n
        elif from_stage == Stage.DROPPED:
            counts["restores"] += n
        elif rank(to_stage) > rank(from_stage):
            counts["upgrades"] += n
        elif rank(to_stage) < rank(from_stage):
            counts["downgrades"] += n
        if to_stage == Stage.OPERATING:
            counts["to_operating"] += n
    return {**counts, "changes": latest_moves(scope)} if moves else counts


def stage_funnel(scope: Scope, kept: dict | None = None) -> list[dict]:
    """Red -> orange -> blue -> green over the year (counted with the card, `cards`).

    The projects in play during the year (see periods.in_play_q), each counted at every stage
    its StageChange history shows it had reached by the end of the period; a project whose
    history starts after the period did not exist yet. `count` is how many had reached at
    least that stage; `entered` how many first reached it during the year. Each stage's
    `query` lists exactly the projects of `count`. (The highest stage reached by the period's
    end and before the year are the same sets as periods.reached_q, which the list's
    drill-down filters by.)
    """
    counts = (kept or cards(scope))["headline"]
    return [
        {
            "stage": stage.value,
            "label": str(stage.label),
            "color": COLORS[stage],
            "count": counts[f"funnel_{stage.value}"],
            "entered": counts[f"funnel_{stage.value}_entered"],
            "query": scope.figure_query("reached", at_stage=stage.value),
        }
        for stage in ACTIVE
    ]


# --- everything ----------------------------------------------------------------------------


def dashboard(scope: Scope, *, moves: bool = True) -> dict:
    """Every figure of the scope in one dict (the API returns it as JSON, Decimals as strings).
    `moves=False` leaves out the month's list of moves (the page shows their counts)."""
    kept = cards(scope)
    return {
        "scope": scope.as_dict(),
        "headline": headline(scope, kept),
        "headline_queries": headline_queries(scope),
        **breakdowns(scope, kept),
        "monthly_funds": monthly_funds(scope),
        "stage_movements": stage_movements(scope, moves=moves),
        "stage_funnel": stage_funnel(scope, kept),
        "unit_scoreboard": unit_scoreboard(scope, kept),
        "forecast": forecast(scope),
        "attention": attention(scope),
    }
