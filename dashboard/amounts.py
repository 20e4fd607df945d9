"""Amounts and rates as the figures compute them (万元, two decimals; None when undefined)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from projects import month_totals
from projects.models import MonthlyProgress, MonthTotal
from projects.periods import Scope

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=18, decimal_places=2)


def percent(part, whole) -> Decimal | None:
    """part / whole x 100, rounded to 0.01; None when whole is zero or missing."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def money(value) -> Decimal:
    return (value or ZERO).quantize(CENT, ROUND_HALF_UP)


def sum_of(expression, **kwargs):
    return Coalesce(Sum(expression, **kwargs), Value(ZERO), output_field=MONEY)


def progress_of(scope: Scope) -> QuerySet:
    """The progress entries of the scope's projects (every month)."""
    return MonthlyProgress.objects.filter(scope.project_q("project__"))


# --- month sums: the kept month totals where they answer, else the entries -------------------

# The scope filter each kept dimension answers.
# The scope filter each kept dimension answers ("chain_id" -> "chain"), from the one map of them.
DIMENSION_OF_FILTER = {field: dim for dim, field in month_totals.DIMENSIONS.items() if field}


def _sums(rows, *group):
    if rows.model is MonthTotal:
        # A row emptied by a correction or a move equals no row: no entry, no data (无可比数据).
        rows = rows.filter(entries__gt=0)
    return (
        rows.order_by()
        .values(*group)
        .annotate(
            funds=sum_of("funds_in_place"),
            completed=sum_of("investment_completed"),
            entries=Count("id") if rows.model is MonthlyProgress else Coalesce(Sum("entries"), 0),
        )
    )


def month_sums(scope: Scope, first, last) -> dict:
    """The scope's funds in place, investment completed and number of entries per month
    (`first`..`last`, first days): {month: {"funds", "completed", "entries"}}.

    Read from the kept month totals (`projects.month_totals`, a few rows per month) for the
    whole city or one filter; summed from the entries for a combination of filters. Both are
    the same sums (a property test holds them equal)."""
    filters = scope.filters()
    if len(filters) <= 1:
        name, key = next(iter(filters.items()), ("", 0))
        dimension = DIMENSION_OF_FILTER.get(name, MonthTotal.Dimension.ALL)
        rows = _sums(month_totals.totals(dimension, first, last, keys=[key]), "month")
    else:
        rows = _sums(progress_of(scope).filter(month__gte=first, month__lte=last), "month")
    return {row.pop("month"): row for row in rows}


def sums_by(scope: Scope, dimension: str, first, last, *, whole_city=False) -> dict:
    """Funds in place and investment completed of the months `first`..`last` by the
    projects' chain (place, unit, leader): {id or None: {"funds", "completed", "entries"}}.

    `whole_city`: every project whatever the scope's filters (三亮 compares a unit's whole
    portfolio)."""
    if whole_city or not scope.filters():
        rows = _sums(month_totals.totals(dimension, first, last), "key")
        return {row.pop("key") or None: row for row in rows}
    field = f"project__{month_totals.DIMENSIONS[dimension]}"
    rows = _sums(progress_of(scope).filter(month__gte=first, month__lte=last), field)
    return {row.pop(field): row for row in rows}


def sums_by_each(scope: Scope, dimensions, first, last) -> dict:
    """`sums_by` for several dimensions: {dimension: {id or None: row}} (one query from the
    kept totals for the whole city; one per dimension from the entries otherwise)."""
    if scope.filters():
        return {dimension: sums_by(scope, dimension, first, last) for dimension in dimensions}
    rows = _sums(month_totals.totals(dimensions, first, last), "dimension", "key")
    result: dict = {dimension: {} for dimension in dimensions}
    for row in rows:
        result[row.pop("dimension")][row.pop("key") or None] = row
    return result
