"""How amounts, rates and months read, for pages, the report, exports and messages alike.

One place, so that a page, the report and an export never show the same figure two ways; the
template filters in `projects/templatetags/jc.py` are these functions.
"""

from decimal import Decimal, InvalidOperation

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
        return f"{amount / YI:,.2f}亿元"
    return f"{amount:,.2f}万元"


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
        return f"{int(year)}年{int(mon)}月"
    return f"{value.year}年{value.month}月"
