"""How amounts, rates and months read, for pages, the report, exports and messages alike.

One place, so that a page, the report and an export never show the same figure two ways; the
template filters in `projects/templatetags/jc.py` are these functions.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

YI = Decimal(10000)  # 1亿元 = 10000万元


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(value, unit="auto") -> str:
    """Show an amount kept in 万元: "3,500.00万元", or "12.35亿元" from 1亿 up.

    `unit` forces "wan" (万元) or "yi" (亿元).
    """
    amount = to_decimal(value)
    if amount is None:
        return "—"
    if unit == "yi" or (unit == "auto" and abs(amount) >= YI):
        return _("%(n)s亿元") % {"n": f"{amount / YI:,.2f}"}
    return _("%(n)s万元") % {"n": f"{amount:,.2f}"}


def percent(value, digits=2) -> str:
    amount = to_decimal(value)
    if amount is None:
        return "—"
    return f"{amount:.{int(digits)}f}%"


def month(value) -> str:
    """A month as 2025年6月 (value: a date or "YYYY-MM")."""
    if not value:
        return "—"
    if isinstance(value, str):
        year, mon = value[:7].split("-")
    else:
        year, mon = value.year, value.month
    return _("%(y)d年%(m)d月") % {"y": int(year), "m": int(mon)}
