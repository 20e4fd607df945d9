"""A ledger file opened in bounded memory: the archive checked before it is unpacked, every
visible sheet streamed as raw cells (.xlsx with openpyxl read-only, .xls with calamine), the
limits one upload may cost the worker, and merged ranges filled with their value.
"""

import logging
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from ledger.cells import is_blank

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


XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file (.xls, also .doc …)


class FileRejected(Exception):
    """The file as a whole cannot be read as this ledger; nothing in it is imported."""

    def __init__(self, messages, unknown=()):
        self.messages = [str(m) for m in messages]
        # Headers no column answers to: the uploader may say what they mean (ColumnMapping).
        self.unknown = list(unknown)
        super().__init__("；".join(self.messages))


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


class MergeFill:
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
            if first is not None and is_blank(cell.value):
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
            if not is_blank(cell.value):
                return (
                    cell.merged_from != ""
                    and sum(1 for other in cells if other.merged_from == cell.merged_from) >= 3
                )
        return False
