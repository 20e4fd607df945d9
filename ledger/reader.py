"""Reading a ledger workbook as a person would, in bounded memory and time.

`read_ledger(file, columns)` is the one entry point. It

1. checks the file before opening it: an .xlsx is a zip archive whose entries may unpack to
   gigabytes (a "zip bomb"), so their declared sizes are added up first and a file over the
   limit is refused without being unpacked;
2. streams every *visible* sheet row by row (openpyxl's read-only mode for .xlsx,
   python-calamine for legacy .xls), never past the row and column limits; hidden sheets are
   never read;
3. finds the header wherever it is in the first rows, in one row or two (a merged group cell
   such as "投资情况（万元）" over 总投资 / 签约投资), matching each column by its header or one of
   its aliases, and takes an amount's unit (万元, 亿元, 元) from the column, its group, or a
   "单位：万元" line above the table;
4. gives every cell of a merged range the range's value, recognises the rows that are not
   projects (section titles, 小计/合计, 说明/填表人 lines, blank rows) and yields every other
   row as typed values, with a reason for each cell it cannot read for sure.

What it read, what it ignored and why goes to `Sheet.notes`, so the preview can say it.
"""

import calendar
import datetime
import difflib
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ledger.columns import IGNORED_HEADERS, Column, Kind
from projects import stages
from projects.stages import Stage
from projects.validators import EARLIEST_DATE, LATEST_DATE, validate_plausible_date

logger = logging.getLogger(__name__)

# --- Limits: what one upload may cost the worker -------------------------------------------------

# The unpacked size of every entry of an .xlsx together. A real ledger of 20,000 rows × 30
# columns unpacks to about 30 MB; the bomb in issue #18 (161 KB) declared several hundred.
MAX_UNPACKED_BYTES = 80 * 1024 * 1024
MAX_UNPACKED_MB = MAX_UNPACKED_BYTES // (1024 * 1024)
# openpyxl keeps the whole shared-strings table in memory (a Python string per entry), so its
# part has a lower bound of its own; a ledger's distinct texts take a few MB.
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_ROWS = 20000  # data rows over all sheets
MAX_COLUMNS = 60  # columns read per row; a ledger has about 20
MAX_SHEETS = 50
MAX_HIDDEN = 200_000  # hidden rows remembered per sheet (more are never data rows)
MAX_BLANK_RUN = 1000  # the formatted but empty tail some sheets carry down to row 1,048,576
HEADER_SEARCH_ROWS = 15  # title, 填报单位/填报日期 lines, a two-row header
# Columns a sheet's name, its title or a section title above the rows may state instead (a
# sheet "永昌县", "一、有色金属新材料产业链（12个）", "2025年6月重点项目进展填报表").
CONTEXT_KEYS = ("place", "month")

YI = Decimal(10000)  # 1亿元 = 10000万元
CENT = Decimal("0.01")
UNITS = {"万元": Decimal(1), "亿元": YI, "元": 1 / YI}
# The one date-range rule (projects.validators), also for the reader's serial numbers.
EARLIEST_YEAR, LATEST_YEAR = EARLIEST_DATE.year, LATEST_DATE.year

# What people write in a cell that has nothing to say.
EMPTY_MARKS = {"—", "——", "-", "--", "－", "/", "／", "\\", "无", "暂无", "空", "n/a"}

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file (.xls, also .doc …)


class FileRejected(Exception):
    """The file as a whole cannot be read as this ledger; nothing in it is imported."""

    def __init__(self, messages, unknown=()):
        self.messages = [str(m) for m in messages]
        # Headers no column answers to: the uploader may say what they mean (ColumnMapping).
        self.unknown = list(unknown)
        super().__init__("；".join(self.messages))


class CellError(ValueError):
    pass


def normalize(text) -> str:
    """The form names and headers are compared in: full-width characters made half-width
    (NFKC), whitespace removed, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_empty_mark(value) -> bool:
    return isinstance(value, str) and normalize(value) in EMPTY_MARKS


# In a date column, words saying there is no date yet: "未开工" under 开工时间 is an empty date.
_NO_DATE_YET = re.compile(r"^(?:尚|暂|还)?未(?:开工|签约|投产|竣工|接洽|确定|定)$|^待定$|^待签约$")


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


# --- Raw sheets: cells as the file holds them -------------------------------------------------


@dataclass
class RawCell:
    value: Any
    coordinate: str
    data_type: str = "n"  # openpyxl's: n, s, d, b, e, f
    merged_from: str = ""  # "K5:K6" when the cell lies in a merged range
    merged_col: int = 0  # the range's first column


@dataclass
class RawSheet:
    name: str
    hidden: bool
    # (min_row, min_col, max_row, max_col, "A1:B2") of each merged range
    merged: list[tuple[int, int, int, int, str]]
    rows: Callable[[], Iterator[tuple[int, list[RawCell]]]]  # (row number, MAX_COLUMNS cells)
    too_wide: bool = False  # cells beyond MAX_COLUMNS exist and are not read
    # Rows and columns hidden in Excel (also rows a filter hides): a reader does not see them,
    # so they are not imported, and the preview names them.
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def _check_archive(fileobj) -> None:
    """Refuse an .xlsx whose entries would unpack past the limit, before unpacking any."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            strings = sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.lower().endswith("sharedstrings.xml")
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected([_NOT_EXCEL()]) from None
    finally:
        fileobj.seek(0)
    if strings > MAX_SHARED_STRINGS_BYTES:
        unpacked = MAX_UNPACKED_BYTES + 1  # refused with the same message
    if unpacked > MAX_UNPACKED_BYTES:
        logger.info("Rejected an .xlsx declaring %s unpacked bytes", unpacked)
        raise FileRejected(
            [
                _(
                    "文件解压后超过 %(mb)s MB（上限 %(mb)s MB），不像一份正常的台账，已拒绝读取。"
                    "请删除多余的空白行列和工作表，或拆分成几个文件后再上传。"
                )
                % {"mb": MAX_UNPACKED_MB}
            ]
        )


def _NOT_EXCEL() -> str:  # noqa: N802 - a message, built when the language is known
    return _(
        "文件不是有效的 Excel 工作簿（.xlsx 或 .xls）。如果是 .csv 或 .et 文件，请在 Excel/WPS "
        "中“另存为 → Excel 工作簿（*.xlsx）”后再上传。"
    )


def _layout(workbook, worksheet):
    """The merged ranges, hidden rows and hidden columns of a read-only sheet. openpyxl's
    read-only mode keeps none of them, so the sheet's XML is read once more, element by
    element (memory stays flat; the archive's size was checked before)."""
    ranges, hidden_rows, hidden_cols = [], set(), set()
    row_number = 0
    # Private attributes of openpyxl's ReadOnlyWorksheet: the archive it streams from and the
    # sheet's part name. Pinned by openpyxl<4 in pyproject.
    with workbook._archive.open(worksheet._worksheet_path) as source:
        for _event, element in ElementTree.iterparse(source):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                ref = element.get("ref", "")
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                except (ValueError, TypeError):
                    continue
                ranges.append((min_row, min_col, max_row, max_col, ref))
            elif tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                if element.get("hidden") in ("1", "true") and len(hidden_rows) < MAX_HIDDEN:
                    hidden_rows.add(row_number)
            elif tag == "col" and element.get("hidden") in ("1", "true"):
                first, last = int(element.get("min", 0)), int(element.get("max", 0))
                hidden_cols.update(range(max(first, 1), min(last, MAX_COLUMNS) + 1))
            if tag in ("c", "row", "mergeCell", "col"):
                element.clear()
    return ranges, hidden_rows, hidden_cols


def _xlsx_sheets(fileobj, closing: ExitStack) -> list[RawSheet]:
    _check_archive(fileobj)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
        closing.callback(workbook.close)  # read-only mode keeps the archive open
    except Exception as exc:  # openpyxl raises many kinds for a file that is not an .xlsx
        logger.info("Rejected an upload that openpyxl cannot open: %r", exc)
        raise FileRejected([_NOT_EXCEL()]) from None
    sheets = []
    for worksheet in workbook.worksheets[:MAX_SHEETS]:
        if not hasattr(worksheet, "_worksheet_path"):
            continue  # a chart sheet
        hidden = worksheet.sheet_state != "visible"
        merged, hidden_rows, hidden_cols = (
            ([], set(), set()) if hidden else _layout(workbook, worksheet)
        )

        def rows(worksheet=worksheet):
            # max_col bounds every row; a wrong <dimension> (WPS writes "A1") does not matter,
            # because rows are streamed until the data ends.
            for number, cells in enumerate(
                worksheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), start=1
            ):
                yield number, [_xlsx_cell(cell, number, col) for col, cell in enumerate(cells, 1)]

        too_wide = (worksheet.max_column or 0) > MAX_COLUMNS
        # The <dimension> a file declares is not trusted (WPS writes "A1" whatever the data,
        # and read-only mode would stop after that one row): rows are streamed until the
        # data ends, and MAX_COLUMNS / MAX_ROWS bound them.
        worksheet.reset_dimensions()
        sheets.append(
            RawSheet(worksheet.title, hidden, merged, rows, too_wide, hidden_rows, hidden_cols)
        )
    return sheets


def _xlsx_cell(cell, row: int, column: int) -> RawCell:
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", "n")
    if isinstance(value, ArrayFormula | DataTableFormula):
        data_type = "f"
    return RawCell(value, f"{get_column_letter(column)}{row}", data_type)


def _xls_sheets(fileobj, closing: ExitStack) -> list[RawSheet]:
    """A legacy .xls through python-calamine. Calamine gives each formula's last computed value
    (what Excel showed when the file was saved), not the formula."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
        closing.callback(workbook.close)
    except Exception as exc:  # calamine's errors: not an .xls, encrypted, damaged
        logger.info("Rejected an upload that calamine cannot open: %r", exc)
        raise FileRejected([_NOT_EXCEL()]) from None
    sheets = []
    for meta in workbook.sheets_metadata[:MAX_SHEETS]:
        hidden = meta.visible != SheetVisibleEnum.Visible
        sheet = None if hidden else workbook.get_sheet_by_name(meta.name)
        merged = []
        for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or []) if sheet else []:
            ref = f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
            merged.append((r0 + 1, c0 + 1, r1 + 1, c1 + 1, ref))

        def rows(sheet=sheet):
            if sheet is None:
                return
            for number, values in enumerate(sheet.iter_rows(), start=1):
                cells = []
                for col in range(1, MAX_COLUMNS + 1):
                    value = values[col - 1] if col <= len(values) else None
                    coordinate = f"{get_column_letter(col)}{number}"
                    cells.append(RawCell(None if value == "" else value, coordinate))
                yield number, cells

        too_wide = sheet is not None and sheet.width > MAX_COLUMNS
        sheets.append(RawSheet(meta.name, hidden, merged, rows, too_wide))
    return sheets


def open_sheets(fileobj, closing: ExitStack) -> list[RawSheet]:
    """Every sheet of an .xlsx or .xls, told apart by their first bytes, not their names."""
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(XLSX_MAGIC):
        return _xlsx_sheets(fileobj, closing)
    if head == XLS_MAGIC:
        return _xls_sheets(fileobj, closing)
    raise FileRejected([_NOT_EXCEL()])


class _MergeFill:
    """Gives each cell of a merged range the value of the range's first cell, as a reader of
    the sheet sees it. Streaming: the first cell's row comes before the others."""

    def __init__(self, merged):
        self.by_cell: dict[tuple[int, int], tuple[int, int, str]] = {}
        for min_row, min_col, max_row, max_col, ref in merged:
            # Keep the index small: a range merging a whole empty column is not a table's.
            if (max_row - min_row + 1) * (max_col - min_col + 1) > 5000:
                continue
            for row in range(min_row, max_row + 1):
                for col in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                    self.by_cell[(row, col)] = (min_row, min_col, ref)
        self.first: dict[tuple[int, int], RawCell] = {}
        self.starts = {(r, c) for r, c, _ref in self.by_cell.values()}

    def apply(self, number: int, cells: list[RawCell]) -> list[RawCell]:
        for col, cell in enumerate(cells, start=1):
            source = self.by_cell.get((number, col))
            if source is None:
                continue
            if (number, col) in self.starts:
                self.first[(number, col)] = cell
                cell.merged_from, cell.merged_col = source[2], source[1]
                continue
            first = self.first.get(source[:2])
            if first is not None and _is_blank(cell.value):
                cells[col - 1] = RawCell(
                    first.value,
                    cell.coordinate,
                    first.data_type,
                    merged_from=source[2],
                    merged_col=source[1],
                )
        return cells

    def spans_row(self, number: int, cells: list[RawCell]) -> bool:
        """Whether the row's first filled cell is merged across three or more columns (a
        section title or a note written over the whole table)."""
        for cell in cells:
            if not _is_blank(cell.value):
                return (
                    cell.merged_from != ""
                    and sum(1 for other in cells if other.merged_from == cell.merged_from) >= 3
                )
        return False


# --- Headers --------------------------------------------------------------------------------

_UNIT_IN_HEADER = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")
_UNIT_WORD = re.compile(r"(?:单位[:：]?)?(万元|亿元|元)$")
_SHEET_UNIT = re.compile(r"(?:金额|资金|计量)?单位[:：]\s*(万元|亿元|元)")
_LEDGER_DATE = re.compile(r"填报(?:日期|时间)[:：]?\s*(\d{4})\s*[年.\-/]")
_YEAR = re.compile(r"(19\d{2}|20\d{2}|2100)\s*年")


def split_header(text: str) -> tuple[str, str | None]:
    """ "总投资（亿元）" → ("总投资", "亿元"); "项目名称（全称）" → ("项目名称（全称）", None) when
    the brackets hold no unit (the alias list decides what it means)."""
    text = normalize(text)
    unit = None
    for match in _UNIT_IN_HEADER.finditer(text):
        found = _UNIT_WORD.search(match.group(1))
        if found:
            unit = found.group(1)
    base = _UNIT_IN_HEADER.sub("", text) if unit else text
    # A unit written without brackets: "总投资万元", "总投资/亿元".
    if unit is None:
        found = re.search(r"[/]?(万元|亿元)$", base)
        if found:
            unit, base = found.group(1), base[: found.start()]
    return base, unit


class HeaderNames:
    """Every name a column may be given, normalized, to the column."""

    def __init__(self, columns: list[Column], remembered: dict[str, str] | None = None):
        self.columns = columns
        by_key = {c.key: c for c in columns if c.importable}
        # Headers a unit said what they mean (normalized header → column key).
        self.remembered = {
            normalize(h): by_key[k] for h, k in (remembered or {}).items() if k in by_key
        }
        self.by_name: dict[str, Column] = {}
        for column in columns:
            for name in (column.header, *column.aliases):
                base, _unit = split_header(name)
                self.by_name.setdefault(base, column)
                self.by_name.setdefault(normalize(name), column)
        self.ignored = {normalize(h) for h in IGNORED_HEADERS}

    def find(self, text: str) -> tuple[Column | None, str | None]:
        base, unit = split_header(text)
        column = self.by_name.get(normalize(text)) or self.by_name.get(base)
        if column is None:
            # An explanation in brackets: "色卡阶段（红/橙/蓝/绿）", "签约时间（年月日）".
            column = self.by_name.get(_UNIT_IN_HEADER.sub("", base))
        return column, unit


@dataclass
class HeaderColumn:
    column: Column
    position: int  # 1-based column number
    text: str  # the header as written (group and name)
    unit: str | None = None  # for amounts


@dataclass
class Header:
    first_row: int
    last_row: int
    columns: dict[int, HeaderColumn]
    unknown: list[tuple[int, str]]  # (position, text) of headers no column answers to
    problems: list[str]
    hits: int
    from_sub: int = 0


def _text(cell: RawCell | None) -> str:
    if cell is None or _is_blank(cell.value) or cell.data_type == "f":
        return ""
    return read_text(cell.value)


def _map_header(names: HeaderNames, group: list[RawCell] | None, sub: list[RawCell]) -> Header:
    columns: dict[int, HeaderColumn] = {}
    unknown = []
    from_sub = 0  # columns named by a second-row cell under a different group cell
    for index, cell in enumerate(sub):
        s = _text(cell)
        g = _text(group[index]) if group is not None else ""
        if g == s:
            g = ""  # a header merged down over both rows
        candidates = [g + s, s, g] if g and s else [s or g]
        found, unit = None, None
        for candidate in candidates:
            if not candidate:
                continue
            found, unit = names.find(candidate)
            if found is not None:
                from_sub += bool(g and s and candidate != g)
                break
        label = f"{g}/{s}" if g and s else s or g
        if found is None and label:
            found = names.remembered.get(normalize(label))
            unit = split_header(label)[1] if found is not None else None
        if found is None:
            bare = {_UNIT_IN_HEADER.sub("", split_header(t)[0]) for t in (g, s) if t}
            if label and not bare & names.ignored:
                unknown.append((index + 1, label))
            continue
        if unit is None and g:
            unit = split_header(g)[1]  # "投资情况（万元）" over 总投资
        columns[index + 1] = HeaderColumn(found, index + 1, f"{g}/{s}" if g and s else s, unit)
    hits = len({c.column.key for c in columns.values()})
    return Header(0, 0, columns, unknown, [], hits, from_sub)


def find_header(names: HeaderNames, top: list[tuple[int, list[RawCell]]]) -> Header | None:
    """The row (or pair of rows) among the first ones whose cells name the most columns. A pair
    is a header only when its group row adds columns its second row alone does not name (a
    title merged over the table above a one-row header is not a group row)."""
    singles = []
    for number, cells in top:
        header = _map_header(names, None, cells)
        header.first_row = header.last_row = number
        singles.append(header)
    candidates = list(singles)
    for index in range(len(top) - 1):
        (number, group), (next_number, cells) = top[index], top[index + 1]
        if next_number != number + 1:
            continue
        pair = _map_header(names, group, cells)
        pair.first_row, pair.last_row = number, next_number
        # A pair is a header when its second row names columns under a group (总投资 under
        # 投资情况) and its first row is a header row too: it names columns itself (序号,
        # 项目名称 merged down over both rows) or the pair names more than the second row
        # alone. A title above a one-row header names none; a data row under it names none.
        if (
            pair.from_sub
            and pair.hits >= singles[index].hits
            and (
                pair.hits > singles[index + 1].hits
                or (pair.hits == singles[index + 1].hits and singles[index].hits >= 2)
            )
        ):
            candidates.append(pair)
    # On a tie the pair wins: its group row carries the units of the columns under it.
    best = max(candidates, key=lambda h: (h.hits, h.last_row - h.first_row), default=None)
    return best if best is not None and best.hits >= 2 else None


# --- Rows -----------------------------------------------------------------------------------


class Skip:
    """Why a row is not a project (RowPlan shows it as 跳过 with this reason)."""

    SECTION = "section"
    TOTAL = "total"
    NOTE = "note"
    HIDDEN = "hidden"
    HEADER = "header"


_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]"
    r"|第[一二三四五六七八九十\d]+[部分类批])"
)
# A 序号 cell holding only the section's numeral, its title in the next cell.
_NUMERAL = re.compile(r"[一二三四五六七八九十]+|[(（][一二三四五六七八九十]+[)）]")
_TOTAL = re.compile(r"^(?:合计|总计|小计|累计|共计)")
_NOTE = re.compile(
    r"^(?:说明|注[:：]|注\d|备注[:：]|填表人|填报人|审核人|制表人|制表|审核|联系人|联系电话"
    r"|负责人|单位负责人|分管领导)"
)


@dataclass
class SheetRow:
    number: int  # the row number Excel shows
    sheet: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # column key -> typed value or None
    errors: dict[str, list[str]] = field(default_factory=dict)  # column key -> reasons
    notes: list[str] = field(default_factory=list)
    skip: str = ""  # a Skip kind: the row is not a project
    skip_text: str = ""  # the row's text, for the preview
    sections: tuple[str, ...] = ()  # the section titles above the row ("一、有色金属新材料产业链")
    keys: frozenset[str] = frozenset()  # the columns the row's sheet has
    month: datetime.date | None = None  # the month its sheet's title names (a 填报表)


@dataclass
class Sheet:
    columns: list[Column]  # the importable columns the file has (over all sheets read)
    rows: list[SheetRow]
    header_row: int = 1
    notes: list[str] = field(default_factory=list)  # sheets read and ignored, columns ignored
    sheet_names: list[str] = field(default_factory=list)  # the sheets read
    year: int | None = None  # the ledger's year (填报日期 or title)
    month: datetime.date | None = None  # the ledger's month, when its title states one
    unknown: list[str] = field(default_factory=list)  # headers ignored, for the mapping form

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)


def _ledger_year(top_texts: list[str]) -> tuple[int | None, datetime.date | None]:
    """The ledger's year (its 填报日期, else a year in its title) and the month its title
    names ("2025年6月重点项目进展填报表"); a date line is never taken for the month, and two
    different months in the title give none."""
    year = None
    months = set()
    for text in top_texts:
        match = _LEDGER_DATE.search(normalize(text))
        if match:
            year = int(match.group(1))
            break
    for text in top_texts:
        normalized = normalize(text)
        if year is None:
            match = _YEAR.search(normalized)
            if match:
                year = int(match.group(1))
        if "日期" in normalized or "时间" in normalized:
            continue
        for found in re.finditer(r"(\d{4})年(\d{1,2})月(?!\d{1,2}日)", normalized):
            if 1 <= int(found.group(2)) <= 12:
                months.add(datetime.date(int(found.group(1)), int(found.group(2)), 1))
    return year, (months.pop() if len(months) == 1 else None)


def read_ledger(fileobj, columns: list[Column], remembered: dict[str, str] | None = None) -> Sheet:
    """The rows of every visible sheet with a ledger header, typed; raises FileRejected when
    the file cannot be trusted. `remembered` maps headers a unit uses to column keys."""
    with ExitStack() as closing:
        return _read_ledger(fileobj, columns, remembered, closing)


def _read_ledger(fileobj, columns, remembered, closing) -> Sheet:
    names = HeaderNames(columns, remembered)
    raw_sheets = open_sheets(fileobj, closing)
    notes: list[str] = []
    read: list[tuple[RawSheet, Header, Iterator, list, _MergeFill]] = []
    problems: list[str] = []
    year = month = None
    dated: dict[str, tuple[int | None, datetime.date | None]] = {}  # each sheet's own
    candidates = []  # sheets with a header: (raw, header, stream, top, fill, problems)
    # The column that makes a row a project (项目名称): the first required one.
    name_column = next(c for c in columns if c.required)
    key = name_column.key
    for raw in raw_sheets:
        if raw.hidden:
            notes.append(_("未读取隐藏的工作表“%(s)s”。") % {"s": raw.name})
            continue
        fill = _MergeFill(raw.merged)
        stream = _without_columns(raw.rows(), raw.hidden_cols)
        top = []
        for number, cells in stream:
            top.append((number, fill.apply(number, cells)))
            if len(top) >= HEADER_SEARCH_ROWS:
                break
        header = find_header(names, top)
        if header is not None and raw.hidden_cols:
            notes.append(
                _("工作表“%(s)s”的隐藏列（%(c)s）没有读取。")
                % {
                    "s": raw.name,
                    "c": "、".join(get_column_letter(c) for c in sorted(raw.hidden_cols)),
                }
            )
        if header is None:
            notes.append(_("未读取工作表“%(s)s”：没有找到台账的表头。") % {"s": raw.name})
            continue
        above = [_text(c) for n, cells in top if n < header.first_row for c in cells]
        above = [t for t in above if t]
        sheet_year, sheet_month = _ledger_year(above)
        dated[raw.name] = (sheet_year, sheet_month)
        year = year or sheet_year
        month = month or sheet_month
        sheet_unit = None
        for text in above:
            found = _SHEET_UNIT.search(normalize(text))
            if found:
                sheet_unit = found.group(1)
        sheet_problems: list[str] = []
        _check_header(raw, header, names, sheet_unit, sheet_problems, len(raw_sheets) > 1)
        candidates.append((raw, header, stream, top, fill, sheet_problems))
    # A sheet whose header has no project name column (a 汇总 by chain or county) lists no
    # projects: beside sheets that do, it is ignored, with a note. Alone, it is the ledger
    # the person meant, and what it lacks refuses the file.
    named = [c for c in candidates if any(hc.column.key == key for hc in c[1].columns.values())]
    for raw, *_rest in candidates:
        if named and all(raw is not c[0] for c in named):
            notes.append(
                _("未读取工作表“%(s)s”：表头中没有“%(h)s”列，不是逐个项目的台账（如汇总表）。")
                % {"s": raw.name, "h": name_column.header}
            )
    for raw, header, stream, top, fill, sheet_problems in named or candidates:
        problems.extend(sheet_problems)
        read.append((raw, header, stream, top, fill))
    if not read:
        required = [c.header for c in columns if c.required]
        raise FileRejected(
            [
                _("没有找到表头。第一行（或标题下面的一行）应是列名：%(cols)s。")
                % {"cols": "、".join(required)}
                + _("可以先下载导入模板，按模板填写。")
            ]
        )
    unknown = list(dict.fromkeys(text for _r, h, *_x in read for _p, text in h.unknown))
    if problems:
        raise FileRejected(problems, unknown)

    rows: list[SheetRow] = []
    present: dict[str, Column] = {}
    for raw, header, stream, top, fill in read:
        for hc in header.columns.values():
            if hc.column.importable:
                present.setdefault(hc.column.key, hc.column)
        before = len(rows)
        stopped_at: list[int] = []
        # A sheet's own 填报日期 or title gives its year, else the first sheet that states
        # one; a month only ever comes from the sheet's own title.
        sheet_year, sheet_month = dated[raw.name]
        blank = _read_rows(
            raw, header, stream, top, fill, rows, sheet_year or year, stopped_at, names
        )
        for row in rows[before:]:
            row.month = sheet_month
        if stopped_at:
            notes.append(
                _(
                    "工作表“%(s)s”从第 %(n)s 行起连续 %(k)s 行为空，视为表格结束，"
                    "其后的内容没有读取。"
                )
                % {"s": raw.name, "n": stopped_at[0], "k": MAX_BLANK_RUN}
            )
        count = sum(1 for r in rows[before:] if not r.skip)
        notes.append(
            _("读取工作表“%(s)s”：表头在第 %(h)s 行，%(n)s 行数据。")
            % {
                "s": raw.name,
                "h": header.first_row
                if header.first_row == header.last_row
                else f"{header.first_row}—{header.last_row}",
                "n": count,
            }
        )
        if blank:
            shown = "、".join(str(n) for n in blank[:20]) + ("……" if len(blank) > 20 else "")
            notes.append(
                _("工作表“%(s)s”跳过空行 %(n)s 行：第 %(rows)s 行。")
                % {"s": raw.name, "n": len(blank), "rows": shown}
            )
        for position, text in header.unknown:
            notes.append(
                _("工作表“%(s)s”第 %(c)s 列“%(h)s”系统中没有对应的项，已忽略。")
                % {"s": raw.name, "c": get_column_letter(position), "h": text}
                + _suggest(text, names, header)
            )
        if raw.too_wide:
            notes.append(
                _("工作表“%(s)s”第 %(n)s 列以后的内容没有读取（最多读取 %(n)s 列）。")
                % {"s": raw.name, "n": MAX_COLUMNS}
            )
    first = read[0][1]
    # Keep the file's column order, so the preview lists changes in it.
    ordered = [c for c in columns if c.key in present]
    return Sheet(
        columns=ordered,
        rows=rows,
        header_row=first.last_row,
        notes=notes,
        sheet_names=[raw.name for raw, *_rest in read],
        year=year,
        month=month,
        unknown=unknown,
    )


def _without_columns(stream, hidden: set[int]):
    """The rows with the hidden columns' cells emptied: what a reader of the sheet sees."""
    for number, cells in stream:
        for col in hidden:
            if col <= len(cells):
                cells[col - 1] = RawCell(None, cells[col - 1].coordinate)
        yield number, cells


def _suggest(text: str, names: HeaderNames, header: Header) -> str:
    used = {hc.column.key for hc in header.columns.values()}
    free = [c.header for c in names.columns if c.key not in used and c.importable]
    close = difflib.get_close_matches(text, free, n=1, cutoff=0.4)
    return _("您是否指：%(s)s？") % {"s": close[0]} if close else ""


def _check_header(raw, header, names, sheet_unit, problems, several) -> None:
    where = (_("工作表“%(s)s”：") % {"s": raw.name}) if several else ""
    seen: dict[str, HeaderColumn] = {}
    for hc in header.columns.values():
        key = hc.column.key
        if key in seen:
            problems.append(where + _("列“%(h)s”出现了两次。") % {"h": hc.column.header})
            continue
        seen[key] = hc
        if hc.column.kind == Kind.MONEY and hc.column.importable:
            hc.unit = hc.unit or sheet_unit
            if hc.unit is None:
                problems.append(
                    where
                    + _("列“%(h)s”没有写明金额单位（万元、亿元或元）。您是否指：%(s)s？")
                    % {"h": hc.text, "s": hc.column.header}
                )
    for column in names.columns:
        # A county's sheet may state its place by its name or its section titles instead of
        # a column: the plan refuses each row that still has none.
        if column.required and column.key not in seen and column.key not in CONTEXT_KEYS:
            message = _("缺少必填列“%(h)s”。") % {"h": column.header}
            if raw.hidden_cols:
                message += _(
                    "（隐藏列 %(c)s 没有读取；如果它就是这一列，请在 Excel 中取消隐藏。）"
                ) % {"c": "、".join(get_column_letter(c) for c in sorted(raw.hidden_cols))}
            problems.append(where + message)
            hint = [t for _p, t in header.unknown]
            close = difflib.get_close_matches(column.header, hint, n=1, cutoff=0.4)
            if close:
                problems.append(
                    where
                    + _("无法识别的列“%(h)s”，您是否指：%(s)s？")
                    % {"h": close[0], "s": column.header}
                )


def _row_text(cells: list[RawCell]) -> list[str]:
    texts, seen_ranges = [], set()
    for cell in cells:
        # A formula counts as content (its row is read and the formula refused with how to
        # fix it), never as a blank cell.
        if _is_blank(cell.value):
            continue
        if cell.merged_from:
            if cell.merged_from in seen_ranges:
                continue
            seen_ranges.add(cell.merged_from)
        value = cell.value
        texts.append(read_text(value if isinstance(value, str | int | float) else str(value)))
    return texts


def _read_rows(raw, header, stream, top, fill, rows, year, stopped_at, names) -> list[int]:
    """Append the sheet's rows after the header to `rows`; return the blank rows' numbers
    (before the last row with data). A long run of blank rows ends the read, its first row
    appended to `stopped_at`."""
    blank: list[int] = []
    pending_blank: list[int] = []
    sections: list[str] = []

    def all_rows():
        yield from ((n, c) for n, c in top if n > header.last_row)
        for number, cells in stream:
            yield number, fill.apply(number, cells)

    run = 0
    data_rows = sum(1 for r in rows if not r.skip)
    for number, cells in all_rows():
        mapped = [(hc, cells[hc.position - 1]) for hc in header.columns.values()]
        texts = _row_text(cells)
        importable_blank = all(
            _is_blank(cell.value) or is_empty_mark(cell.value)
            for hc, cell in mapped
            if hc.column.importable
        )
        # A pre-numbered empty row (序号 only, as templates are handed out) is a blank row.
        numbered_only = importable_blank and all(re.fullmatch(r"\d+", t.strip()) for t in texts)
        if not texts or numbered_only or all(is_empty_mark(t) for t in texts):
            run += 1
            if run > MAX_BLANK_RUN:
                stopped_at.append(number - MAX_BLANK_RUN)
                break
            pending_blank.append(number)
            continue
        run = 0
        blank.extend(pending_blank)
        pending_blank = []
        first = normalize(texts[0])
        kind = ""
        if number in raw.hidden_rows:
            kind = Skip.HIDDEN
        elif _repeats_header(names, mapped):
            kind = Skip.HEADER
        elif _NOTE.match(first):
            kind = Skip.NOTE
        elif any(_TOTAL.match(normalize(t)) for t in texts[:3]):
            kind = Skip.TOTAL
        elif (
            _SECTION.match(first)
            or _NUMERAL.fullmatch(first)
            or (fill.spans_row(number, cells) and len(texts) <= 2)
        ):
            kind = Skip.SECTION
            title = "".join(texts[:2]) if _NUMERAL.fullmatch(first) else texts[0]
            # A （一） title sits under the 一、 above it.
            sections = sections[:1] + [title] if first[0] in "(（" else [title]
        elif importable_blank:
            # Only columns the system does not read (序号, 备注, unknown ones) are filled.
            kind = Skip.NOTE
        if kind:
            rows.append(SheetRow(number, raw.name, skip=kind, skip_text="　".join(texts)[:80]))
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise FileRejected(
                [_("一次最多导入 %(n)s 行，请把文件拆分后分批导入。") % {"n": MAX_ROWS}]
            )
        row = _read_row(number, raw.name, mapped, year)
        row.sections = tuple(sections)
        rows.append(row)
    return blank


def _repeats_header(names: HeaderNames, mapped) -> bool:
    """A header row again below the data (a second table, or the header repeated for
    printing): three or more cells name their own column."""
    same = 0
    for hc, cell in mapped:
        if isinstance(cell.value, str) and names.find(cell.value)[0] is hc.column:
            same += 1
    return same >= 3


def _read_row(number: int, sheet: str, mapped, year) -> SheetRow:
    row = SheetRow(number=number, sheet=sheet)
    row.keys = frozenset(hc.column.key for hc, _cell in mapped if hc.column.importable)
    for hc, cell in mapped:
        column = hc.column
        if not column.importable:
            continue
        value = cell.value
        if cell.merged_col and cell.merged_col != hc.position and not _is_blank(value):
            # A data cell merged across columns: its value is the first column's, and which
            # of the others it also means cannot be told.
            row.errors.setdefault(column.key, []).append(
                _(
                    "单元格 %(c)s 与左边的单元格合并在一起（%(r)s），无法确定这一列的值，"
                    "请取消合并后分别填写。"
                )
                % {"c": cell.coordinate, "r": cell.merged_from}
            )
            continue
        if cell.data_type == "f":
            row.errors.setdefault(column.key, []).append(
                _("单元格 %(c)s 是公式，请将公式转换为数值（复制后“选择性粘贴 → 数值”）。")
                % {"c": cell.coordinate}
            )
            continue
        if cell.data_type == "e":
            row.errors.setdefault(column.key, []).append(
                _("单元格 %(c)s 是错误值 %(v)s。") % {"c": cell.coordinate, "v": value}
            )
            continue
        if _is_blank(value) or is_empty_mark(value):
            row.values[column.key] = None
            continue
        try:
            parsed, note = _typed(column, hc, value, year)
        except CellError as exc:
            row.errors.setdefault(column.key, []).append(str(exc))
            continue
        if cell.merged_from and cell.coordinate != cell.merged_from.split(":")[0]:
            note = (note + "；" if note else "") + _("取自合并单元格 %(r)s") % {
                "r": cell.merged_from
            }
        if note:
            row.notes.append(f"{column.header}：{note}")
        row.values[column.key] = parsed
    return row


def _typed(column: Column, hc: HeaderColumn, value, year) -> tuple[Any, str]:
    if column.kind == Kind.MONEY:
        return read_amount(value, hc.unit or "万元")
    if column.kind == Kind.DATE:
        if isinstance(value, str) and _NO_DATE_YET.match(normalize(value)):
            return None, _("“%(v)s”即没有日期，按空白导入") % {"v": read_text(value)}
        return read_date(value, year)
    if column.kind == Kind.STAGE:
        return read_stage(value)
    if column.kind == Kind.MONTH:
        return read_month(value), ""
    return read_text(value), ""
