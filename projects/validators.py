"""统一社会信用代码 (GB 32100-2015): 18 characters with a check digit; the plausible date range;
the bounds of an amount in 万元."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The code's alphabet: digits and capitals without I, O, Z, S, V.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * weight
        for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。"),
            params={"n": len(code)},
            code="credit_code_length",
        )
    bad = [ch for ch in code if ch not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有无效字符：%(chars)s。"),
            params={"chars": "".join(bad)},
            code="credit_code_chars",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="credit_code_check")


# Dates the bureau's records can hold: nothing it tracks began before 1990 or is planned past
# 2100, so 0001-01-01 or 9999-12-31 is a typing slip, refused with a message rather than kept.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


def validate_plausible_date(value) -> None:
    """The one date-range rule: on the model fields, so the pages, the API (DRF copies model
    validators), the admin and the Excel import (through the services' full_clean) all apply it."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("日期须在%(start)s至%(end)s之间，请检查年份是否填写正确。"),
            params={"start": "1990年1月1日", "end": "2100年12月31日"},
            code="date_out_of_range",
        )


# Amounts above this are a typing error (an extra zero, 元 instead of 万元): 500亿元.
MAX_AMOUNT = Decimal("5000000")


def check_amount(value: Decimal | None, *, allow_zero: bool) -> Decimal | None:
    """Refuse amounts that cannot be meant: not positive, or beyond 500亿元 (a unit slip)."""
    if value is None:
        return value
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError(
            _("金额必须大于0。") if not allow_zero else _("金额不能为负数。"), code="min_value"
        )
    if value > MAX_AMOUNT:
        raise ValidationError(
            _("金额超出合理范围（不超过%(max)s万元，即500亿元），请核对单位是否为万元。")
            % {"max": f"{MAX_AMOUNT:,.0f}"},
            code="max_value",
        )
    return value
