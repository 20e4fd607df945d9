"""Formatting for the whole site: amounts in 万元/亿元, color-card badges, months.

One place, so that a page, the report and an export never show the same figure two ways.
"""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()

YI = Decimal(10000)  # 1亿元 = 10000万元


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value, unit="auto"):
    """Show an amount kept in 万元: "3,500.00万元", or "12.35亿元" from 1亿 up.

    `unit` forces "wan" (万元) or "yi" (亿元).
    """
    amount = _decimal(value)
    if amount is None:
        return "—"
    if unit == "yi" or (unit == "auto" and abs(amount) >= YI):
        return f"{amount / YI:,.2f}亿元"
    return f"{amount:,.2f}万元"


@register.filter
def percent(value, digits=2):
    amount = _decimal(value)
    if amount is None:
        return "—"
    return f"{amount:.{int(digits)}f}%"


@register.filter
def month(value):
    """A month as 2025年6月 (value: a date or "YYYY-MM")."""
    if not value:
        return "—"
    if isinstance(value, str):
        year, mon = value[:7].split("-")
        return f"{int(year)}年{int(mon)}月"
    return f"{value.year}年{value.month}月"


@register.inclusion_tag("includes/stage_badge.html")
def stage_badge(stage):
    """The color-card badge; `stage` is a Stage or its code."""
    from projects.stages import Stage

    try:
        stage = Stage(stage)
    except ValueError:
        return {"code": "", "label": stage or "—"}
    return {"code": stage.value, "label": stage.label}


@register.inclusion_tag("includes/flag_badges.html")
def flag_badges(project):
    """The warnings of a project annotated by projects.selectors.with_flags."""
    from projects.flags import SEVERITY, flags_of

    return {"flags": [(f.label, SEVERITY[f]) for f in flags_of(project)]}
