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

import datetime
import difflib
import logging
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from ledger.cells import (
    NO_DATE_YET,
    CellError,
    is_blank,
    is_empty_mark,
    normalize,
    read_amount,
    read_date,
    read_month,
    read_stage,
    read_text,
)
from ledger.columns import IGNORED_HEADERS, Column, Kind
from ledger.workbook import (
    CONTEXT_KEYS,
    HEADER_SEARCH_ROWS,
    MAX_BLANK_RUN,
    MAX_COLUMNS,
    MAX_ROWS,
    FileRejected,
    MergeFill,
    RawCell,
    RawSheet,
    open_sheets,
)

logger = logging.getLogger(__name__)

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
    if cell is None or is_blank(cell.value) or cell.data_type == "f":
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
    read: list[tuple[RawSheet, Header, Iterator, list, MergeFill]] = []
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
        fill = MergeFill(raw.merged)
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
        if is_blank(cell.value):
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
            is_blank(cell.value) or is_empty_mark(cell.value)
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
        if cell.merged_col and cell.merged_col != hc.position and not is_blank(value):
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
        if is_blank(value) or is_empty_mark(value):
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
        if isinstance(value, str) and NO_DATE_YET.match(normalize(value)):
            return None, _("“%(v)s”即没有日期，按空白导入") % {"v": read_text(value)}
        return read_date(value, year)
    if column.kind == Kind.STAGE:
        return read_stage(value)
    if column.kind == Kind.MONTH:
        return read_month(value), ""
    return read_text(value), ""
