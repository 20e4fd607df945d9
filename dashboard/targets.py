"""三亮 (each unit against its annual targets) and the year-end forecast of funds in place.

Definitions are in dashboard/figures.py's docstring; the sets of projects in projects.periods.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from dashboard.amounts import MONEY, ZERO, money, month_sums, percent, sum_of, sums_by
from dashboard.models import AnnualTarget, StageWeight
from projects import periods
from projects.models import Project
from projects.periods import (
    Scope,
    committed_then,
    rows_once,
    signed_in_period_q,
    started_in_period_q,
)
from projects.stages import ACTIVE, COLORS

# 三亮 marks: points behind the time-proportional target.
YELLOW_FROM = Decimal("10")
RED_ABOVE = Decimal("30")

# --- 三亮 and the forecast ----------------------------------------------------------------


def mark_for(behind_points: Decimal | None) -> str:
    """ "" on track, "yellow" 10-30 points behind 序时进度, "red" more than 30 behind."""
    if behind_points is None or behind_points < YELLOW_FROM:
        return ""
    return "red" if behind_points > RED_ABOVE else "yellow"


def unit_counts(scope: Scope) -> dict:
    """Each unit's signings and starts in the period, over its whole portfolio (one query)."""
    return {
        row["unit_id"]: row
        for row in rows_once(periods.as_of(Project.objects.all(), scope))
        .values("unit_id")
        .annotate(
            signings=Count("id", filter=signed_in_period_q(scope)),
            starts=Count("id", filter=started_in_period_q(scope)),
        )
    }


def unit_scoreboard(scope: Scope, kept: dict | None = None) -> list[dict]:
    """Units with a target for the year against their actuals, ranked by funds completion.

    Three queries: the targets, the units' signings and starts (kept with the card counts,
    `figures.cards`), their funds in place (the month totals).
    Equal completion shares a rank (1, 1, 3); units without a funds target rank last.
    """
    targets = AnnualTarget.objects.filter(year=scope.year, unit__isnull=False).select_related(
        "unit"
    )
    if scope.unit_id is not None:
        targets = targets.filter(unit_id=scope.unit_id)
    targets = list(targets.order_by("unit__order", "unit__name"))
    if not targets:
        return []
    counts = (kept or {}).get("units") or unit_counts(scope)
    # A unit's whole portfolio, whatever the scope's other filters.
    funds = {
        key: row["funds"]
        for key, row in sums_by(
            scope, "unit", scope.period_start, scope.last_month, whole_city=True
        ).items()
    }
    time_progress = scope.time_progress
    rows = []
    for target in targets:
        actual_funds = money(funds.get(target.unit_id))
        completion = percent(actual_funds, target.funds_in_place)
        behind = None if completion is None else time_progress - completion
        mine = counts.get(target.unit_id, {})
        unit_scope = Scope(year=scope.year, month=scope.month, unit_id=target.unit_id)
        rows.append(
            {
                "unit_id": target.unit_id,
                "name": str(target.unit),
                "target_funds": money(target.funds_in_place),
                "actual_funds": actual_funds,
                "completion": completion,
                "time_progress": time_progress,
                "behind_points": behind,
                "mark": mark_for(behind),
                "rank": None,
                "target_signings": target.new_signings,
                "actual_signings": mine.get("signings", 0),
                "signings_completion": percent(mine.get("signings", 0), target.new_signings),
                "target_starts": target.starts,
                "actual_starts": mine.get("starts", 0),
                "starts_completion": percent(mine.get("starts", 0), target.starts),
                "query": unit_scope.figure_query("funds"),
                "signings_query": unit_scope.figure_query("new_signings"),
                "starts_query": unit_scope.figure_query("starts"),
            }
        )
    ranked = sorted(
        (r for r in rows if r["completion"] is not None), key=lambda r: -r["completion"]
    )
    for position, row in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        tied = previous is not None and previous["completion"] == row["completion"]
        row["rank"] = previous["rank"] if tied else position
    unranked = [r for r in rows if r["completion"] is None]
    return ranked + unranked


def forecast(scope: Scope, today: datetime.date | None = None) -> dict | None:
    """Expected funds in place by year end (four queries: weights, pipeline, actual, target);
    None for a year that is over (it has its actual figure, not a forecast).

    Each project on the color board at the period's end contributes its committed investment
    not yet in place (never below zero), times its stage's weight.
    """
    today = today or timezone.localdate()
    if scope.is_over(today):
        return None
    weights = dict(StageWeight.objects.values_list("stage", "weight"))
    in_place = periods.funds_to_date_then(scope, today)
    remaining = {
        row["stage_then"]: row["remaining"]
        for row in rows_once(scope.projects(year_start=False, today=today))
        .filter(stage_then__in=ACTIVE)
        .annotate(
            left=Greatest(
                committed_then() - in_place,
                Value(ZERO),
                output_field=MONEY,
            )
        )
        .order_by()
        .values("stage_then")
        .annotate(remaining=sum_of("left"))
    }
    stages = []
    for stage in ACTIVE:
        left = money(remaining.get(stage.value))
        weight = weights.get(stage.value, Decimal("0"))
        stages.append(
            {
                "stage": stage.value,
                "label": str(stage.label),
                "color": COLORS[stage],
                "pipeline": left,
                "weight": weight,
                "weighted": money(left * weight),
            }
        )
    actual = money(
        sum(
            row["funds"] for row in month_sums(scope, scope.period_start, scope.last_month).values()
        )
    )
    pipeline = money(sum((s["pipeline"] for s in stages), ZERO))
    weighted = money(sum((s["weighted"] for s in stages), ZERO))
    city_target = (
        AnnualTarget.objects.filter(year=scope.year, unit__isnull=True)
        .values_list("funds_in_place", flat=True)
        .first()
    )
    expected = actual + weighted
    return {
        "actual": actual,
        "pipeline": pipeline,
        "weighted_pipeline": weighted,
        "expected": expected,
        "city_target": None if city_target is None else money(city_target),
        "expected_rate": percent(expected, city_target),
        "stages": stages,
    }
