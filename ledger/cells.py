"""One cell of a ledger as a person meant it: text, amounts with their unit, dates written
every way offices write them, stage words; `CellError` says why a cell cannot be read for sure.
"""

import calendar
import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from jinchang.formats import YI
from projects import stages
from projects.stages import Stage
from projects.validators import EARLIEST_DATE, LATEST_DATE, validate_plausible_date

CENT = Decimal("0.01")
UNITS = {"万元": Decimal(1), "亿元": YI, "元": 1 / YI}
# The one date-range rule (projects.validators), also for the reader's serial numbers.
EARLIEST_YEAR, LATEST_YEAR = EARLIEST_DATE.year, LATEST_DATE.year

# What people write in a cell that has nothing to say.
EMPTY_MARKS = {"—", "——", "-", "--", "－", "/", "／", "\\", "无", "暂无", "空", "n/a"}


class CellError(ValueError):
    pass


def normalize(text) -> str:
    """The form names and headers are compared in: full-width characters made half-width
    (NFKC), whitespace removed, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_empty_mark(value) -> bool:
    return isinstance(value, str) and normalize(value) in EMPTY_MARKS


# In a date column, words saying there is no date yet: "未开工" under 开工时间 is an empty date.
NO_DATE_YET = re.compile(r"^(?:尚|暂|还)?未(?:开工|签约|投产|竣工|接洽|确定|定)$|^待定$|^待签约$")


# --- Typed cells ------------------------------------------------------------------------------


def read_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 2025001, not "2025001.0"
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%Y-%m-%d")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def wan(amount: Decimal) -> str:
    """126000万元, 0.5万元: an amount in 万元 as the preview shows it (exactly what is stored)."""
    text = f"{amount.quantize(CENT):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}万元"


_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?$")


def read_amount(value, unit: str = "万元") -> tuple[Decimal, str]:
    """An amount in 万元, and a note when the stored value differs from what was typed.

    A number is in the column's unit (`unit`: 万元, 亿元 or 元, from the header). Text may
    carry its own unit, which wins: "5000", "5,000", "5000万", "1.2亿元", "50000000元".
    """
    if isinstance(value, bool):
        raise CellError(_("金额应为数字。"))
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise CellError(_("金额应为数字。")) from None
        if not number.is_finite():
            raise CellError(_("金额应为数字。"))
        written_unit, typed = unit, f"{read_text(value)}（{unit}）"
    else:
        text = normalize(value).replace(",", "")
        match = _AMOUNT.match(text)
        if not match:
            raise CellError(
                _("金额“%(v)s”无法识别：请填写以万元为单位的数字，如 5000，或写成 5000万、1.2亿。")
                % {"v": read_text(value)}
            )
        number = Decimal(match.group(1))
        written_unit = {"亿": "亿元", "万": "万元"}.get(match.group(2), match.group(2) or unit)
        typed = f"“{read_text(value)}”" if match.group(2) else f"{read_text(value)}（{unit}）"
    amount = number * UNITS[written_unit]
    if written_unit == "元":
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    note = "" if written_unit == "万元" else f"{typed} → {wan(amount)}"
    return amount, note


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_END = re.compile(r"^(\d{4})[年.\-/](\d{1,2})月?(?:底|末)$")
_MONTH_ONLY = re.compile(r"^(\d{4})(?:年(\d{1,2})月?|[.\-/](\d{1,2}))$")
_NO_YEAR = re.compile(r"^(\d{1,2})月(\d{1,2})日?$")
# Excel's serial day numbers for 1990-01-01 .. 2100-12-31: a date cell formatted as a number.
_SERIAL_RANGE = (32874, 73415)


def _date(year: int, month: int, day: int, value) -> datetime.date:
    try:
        result = datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("日期“%(v)s”不存在，请核对。") % {"v": read_text(value)}) from None
    return _in_range(result, value)


def _in_range(result: datetime.date, value) -> datetime.date:
    try:
        validate_plausible_date(result)
    except ValidationError as err:
        raise CellError(
            _("日期“%(v)s”：%(why)s") % {"v": read_text(value), "why": err.messages[0]}
        ) from None
    return result


def read_date(value, year: int | None = None) -> tuple[datetime.date, str]:
    """A date, and a note when it was completed from the ledger: from a date cell, an Excel
    serial number, or text: 2025年6月26日, 2025/6/26, 2025.6.26, 2025-06-26, 20250626,
    "2025年12月底" (the month's last day), "6月26日" (the ledger's year, `year`)."""
    if isinstance(value, datetime.datetime):
        return _in_range(value.date(), value), ""
    if isinstance(value, datetime.date):
        return _in_range(value, value), ""
    if isinstance(value, int) and not isinstance(value, bool) and 19000101 <= value <= 21001231:
        value = str(value)  # 20250626 typed as a number
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_excel(value).date(), ""
    elif isinstance(value, str):
        text = normalize(value)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                return _date(*(int(g) for g in match.groups()), value), ""
        match = _MONTH_END.match(text)
        if match:
            y, m = int(match.group(1)), int(match.group(2))
            if not 1 <= m <= 12:
                raise CellError(_("日期“%(v)s”不存在，请核对。") % {"v": read_text(value)})
            result = _date(y, m, calendar.monthrange(y, m)[1], value)
            return result, f"{read_text(value)} → {result.isoformat()}（月底）"
        match = _MONTH_ONLY.match(text)
        if match:
            raise CellError(
                _(
                    "日期“%(v)s”只写到月份，请写明哪一天（如 %(y)s年%(m)s月6日），"
                    "或写“%(y)s年%(m)s月底”。"
                )
                % {
                    "v": read_text(value),
                    "y": match.group(1),
                    "m": int(match.group(2) or match.group(3)),
                }
            )
        match = _NO_YEAR.match(text)
        if match:
            if year is None:
                raise CellError(
                    _("日期“%(v)s”没有年份，表格标题和填报日期中也找不到年份，请写明年份。")
                    % {"v": read_text(value)}
                )
            result = _date(year, int(match.group(1)), int(match.group(2)), value)
            return result, f"{read_text(value)} → {result.isoformat()}（年份取自台账）"
    raise CellError(
        _("日期“%(v)s”无法识别，请写成 2025-06-26、2025/6/26、2025.6.26 或 2025年6月26日。")
        % {"v": read_text(value)}
    )


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(?:份)?(?:\d{1,2}日?)?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def read_month(value) -> datetime.date:
    """The first day of a month: a date cell, or 2025-06, 2025/6, 2025.6, 2025年6月, 202506."""
    if isinstance(value, datetime.datetime | datetime.date):
        return read_date(value)[0].replace(day=1)
    if isinstance(value, float):
        # Excel turns 2025.10 into the number 2025.1: October and January look the same.
        raise CellError(
            _("月份写成了数字 %(v)s，无法区分 1 月和 10 月，请写成 2025-10 或 2025年10月。")
            % {"v": value}
        )
    text = normalize(value)
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return _in_range(datetime.date(year, month, 1), value)
    raise CellError(
        _("月份“%(v)s”无法识别，请写成 2025-06 或 2025年6月。") % {"v": read_text(value)}
    )


_REMARK = re.compile(r"^(.+?)[(（\[【](.*)[)）\]】]$")
# The color word is whole: "绿色…", "绿卡…" or "绿" then a separator ("绿化" is not green).
_COLOR_FIRST = re.compile(r"^(红|橙|蓝|绿)(?:[色卡][/、,，:：\-—]*|[/、,，:：\-—]+)(.+)$")
# Ledgers that write the state instead of the color: only the words that mean one color for
# sure (绿色 is 已开工建设 / 正在建设, DOMAIN.md); "已签约" may be orange or blue, "洽谈" red or
# orange, so those are refused.
_UNDER_CONSTRUCTION = {"已开工", "在建", "正在建设", "开工建设", "已开工建设", "建设中"}
_OTHER_STAGE = re.compile(r"红|橙|蓝|绿|黄|投产|竣工|终止")


def read_stage(value) -> tuple[Stage, str]:
    """A stage, also with a remark in brackets: "绿色（已开工）" is green."""
    text = read_text(value)
    stage = stages.parse_stage(text)
    if stage is not None:
        return stage, ""
    match = _REMARK.match(normalize(text))
    if match:
        stage = stages.parse_stage(match.group(1))
        if stage is not None:
            return stage, _("“%(v)s”按 %(s)s 导入（括号内的说明不导入）") % {
                "v": text,
                "s": stage.label,
            }
    if normalize(text) in _UNDER_CONSTRUCTION:
        return Stage.GREEN, _("“%(v)s”按 %(s)s 导入（绿色即已开工建设）") % {
            "v": text,
            "s": Stage.GREEN.label,
        }
    # "绿色/已开工", "橙色 已签约": a color word with a remark after it, as long as the remark
    # names no other stage ("蓝色→绿色" says two things and is refused).
    match = _COLOR_FIRST.match(normalize(text))
    if match and not _OTHER_STAGE.search(match.group(2)):
        stage = stages.parse_stage(match.group(1) + "色")
        if stage is not None:
            return stage, _("“%(v)s”按 %(s)s 导入（后面的说明不导入）") % {
                "v": text,
                "s": stage.label,
            }
    raise CellError(
        _("无法识别的色卡阶段“%(v)s”，请填写 红/橙/蓝/绿/已投产/终止（或 红色、橙色……）。")
        % {"v": text}
    )
