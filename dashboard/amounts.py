"""Amounts and rates as the figures compute them (万元, two decimals; None when undefined)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import MonthlyProgress
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
