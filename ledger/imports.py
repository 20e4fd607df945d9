"""Reading a ledger .xlsx and planning what importing it would do, without writing anything.

Two steps, both plain functions that tests call directly:

1. `read_sheet(file, columns)` opens the workbook, finds the header row, refuses a file the
   importer cannot trust (not an .xlsx, unknown or missing headers, merged header cells) with
   `FileRejected`, and reads every non-empty row into typed values, keeping a reason for each
   cell it cannot read (formulas, amounts, dates, stages).
2. `plan_projects(sheet, user=…)` / `plan_progress(sheet, user=…)` match each row against the
   database (reference data and existing records loaded once, in a few queries, not per row)
   and mark it new / updated / unchanged / error, with what would change and why a row is bad.

The plan is a prediction made with the same rules the services apply (`projects.stages`,
`org.roles`, the model's own field validation, the services' date checks); the commit
(`ledger.services.job_commit`) plans again inside its transaction and writes every row through
`projects.services`, which decide. A row the services refuse rolls the whole file back.
"""

import copy
import datetime
import difflib
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from chains.models import ChainLink, IndustryChain
from ledger.columns import (
    IGNORED_HEADERS,
    IMPORT_COLUMNS,
    PROGRESS_COLUMNS,
    PROJECT_COLUMNS,
    Column,
    Kind,
    link_label,
)
from org import roles
from org.models import Place, Unit, User
from projects import services, stages
from projects.models import Enterprise, MonthlyProgress, Project
from projects.stages import Stage

logger = logging.getLogger(__name__)

# Title rows (a sheet title, the export's filter line) may sit above the header.
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20000
MAX_BLANK_RUN = 1000
YI = Decimal(10000)  # 1亿元 = 10000万元
CENT = Decimal("0.01")

# The template's example row is recognised by this name, so an upload of the untouched
# template does not create a project called "示例".
EXAMPLE_PROJECT_NAME = "年产2万吨装配式钢结构建筑产品生产线（示例，导入前请删除此行）"
EXAMPLE_PROGRESS_NARRATIVE = "（示例，导入前请删除此行）主体厂房完成封顶，设备进场安装。"

EMPTY = "（空）"


class RowStatus(models.TextChoices):
    NEW = "new", gettext_lazy("新增")
    UPDATED = "updated", gettext_lazy("更新")
    UNCHANGED = "unchanged", gettext_lazy("未变")
    ERROR = "error", gettext_lazy("错误")


class FileRejected(Exception):
    """The file as a whole cannot be read as this ledger; nothing in it is imported."""

    def __init__(self, messages):
        self.messages = [str(m) for m in messages]
        super().__init__("；".join(self.messages))


# --- Cells ------------------------------------------------------------------------------------


def normalize(text) -> str:
    """The form names and headers are compared in: full-width characters made half-width
    (NFKC), whitespace removed, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, ArrayFormula | DataTableFormula)


class CellError(ValueError):
    pass


def read_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 2025001, not "2025001.0"
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.strftime("%Y-%m-%d")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


_AMOUNT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?$")


def read_amount(value) -> tuple[Decimal, str]:
    """An amount in 万元, and a note when it was written with a unit and converted.

    Accepted: a number (万元), or text such as "5000", "5,000", "5000万", "5000万元", "1.2亿",
    "1.2亿元", "50000000元".
    """
    if isinstance(value, bool):
        raise CellError(_("金额应为数字（万元）。"))
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise CellError(_("金额应为数字（万元）。"))
        return amount, ""
    text = normalize(value).replace(",", "").replace("，", "")
    match = _AMOUNT.match(text)
    if not match:
        raise CellError(
            _("金额“%(v)s”无法识别：请填写以万元为单位的数字，如 5000，或写成 5000万、1.2亿。")
            % {"v": read_text(value)}
        )
    number, unit = Decimal(match.group(1)), match.group(2) or ""
    if unit.startswith("亿"):
        amount = number * YI
    elif unit == "元":
        amount = (number / YI).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        amount = number
    note = ""
    if unit and not unit.startswith("万"):
        note = _("“%(v)s”按 %(a)s 万元导入") % {"v": read_text(value), "a": f"{amount:,.2f}"}
    return amount, note


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
# Excel's serial day numbers for 1990-01-01 .. 2100-12-31: a date cell formatted as a number.
_SERIAL_RANGE = (32874, 73415)


def read_date(value) -> datetime.date:
    """A date from a date cell, an Excel serial number, or text in the common Chinese forms:
    2025年6月26日, 2025/6/26, 2025.6.26, 2025-06-26."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int) and 19000101 <= value <= 21001231:
        value = str(value)  # 20250626 typed as a number
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return from_excel(value).date()
    else:
        text = normalize(value)
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return datetime.date(*(int(g) for g in match.groups()))
                except ValueError:
                    raise CellError(
                        _("日期“%(v)s”不存在，请核对。") % {"v": read_text(value)}
                    ) from None
    raise CellError(
        _("日期“%(v)s”无法识别，请写成 2025-06-26、2025/6/26、2025.6.26 或 2025年6月26日。")
        % {"v": read_text(value)}
    )


_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(?:\d{1,2}日?)?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def read_month(value) -> datetime.date:
    """The first day of a month: a date cell, or 2025-06, 2025/6, 2025.6, 2025年6月, 202506."""
    if isinstance(value, datetime.datetime | datetime.date):
        return read_date(value).replace(day=1)
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
                return datetime.date(year, month, 1)
    raise CellError(
        _("月份“%(v)s”无法识别，请写成 2025-06 或 2025年6月。") % {"v": read_text(value)}
    )


def read_stage(value) -> Stage:
    stage = stages.parse_stage(read_text(value))
    if stage is None:
        raise CellError(
            _("无法识别的色卡阶段“%(v)s”，请填写 红/橙/蓝/绿/已投产/终止（或 红色、橙色……）。")
            % {"v": read_text(value)}
        )
    return stage


READERS: dict[str, Callable[[Any], Any]] = {
    Kind.TEXT: read_text,
    Kind.NAME: read_text,
    Kind.MONEY: read_amount,
    Kind.DATE: read_date,
    Kind.MONTH: read_month,
    Kind.STAGE: read_stage,
}


# --- The sheet --------------------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int  # the row number Excel shows
    values: dict[str, Any] = field(default_factory=dict)  # column key -> typed value or None
    errors: dict[str, list[str]] = field(default_factory=dict)  # column key -> reasons
    notes: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    columns: list[Column]  # the importable columns the file has
    rows: list[SheetRow]
    header_row: int = 1

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)


def _open(fileobj):
    try:
        return load_workbook(fileobj, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not an .xlsx
        logger.info("Rejected an upload that openpyxl cannot open: %r", exc)
        raise FileRejected(
            [
                _(
                    "文件不是有效的 Excel 工作簿（.xlsx）。如果是 .xls、.csv 或 WPS 文件，请在 "
                    "Excel/WPS 中“另存为 → Excel 工作簿（*.xlsx）”后再上传。"
                )
            ]
        ) from None


def _find_header(workbook, known: dict[str, Column]):
    """The sheet and row whose cells name the most known columns."""
    best = (0, None, None)
    for worksheet in workbook.worksheets:
        for number, row in enumerate(
            worksheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS), start=1
        ):
            hits = sum(
                1 for cell in row if isinstance(cell.value, str) and normalize(cell.value) in known
            )
            if hits > best[0]:
                best = (hits, worksheet, number)
    return best


def read_sheet(fileobj, columns: list[Column]) -> Sheet:
    """The rows of a ledger file, typed; raises FileRejected when the file cannot be trusted."""
    workbook = _open(fileobj)
    known = {normalize(c.header): c for c in columns}
    hits, worksheet, header_row = _find_header(workbook, known)
    required = [c.header for c in columns if c.required]
    if hits < 2:
        raise FileRejected(
            [
                _("没有找到表头。第一行（或标题下面的一行）应是列名：%(cols)s。")
                % {"cols": "、".join(required)}
                + _("可以先下载导入模板，按模板填写。")
            ]
        )

    problems = []
    for merged in worksheet.merged_cells.ranges:
        if merged.min_row <= header_row <= merged.max_row:
            problems.append(
                _("表头有合并单元格（%(range)s）。请取消合并，让每一列只有一个列名。")
                % {"range": merged.coord}
            )

    positions: dict[int, Column] = {}
    seen: dict[str, int] = {}
    unknown = []
    header_cells = next(worksheet.iter_rows(min_row=header_row, max_row=header_row))
    for cell in header_cells:
        if _is_blank(cell.value):
            continue
        if _is_formula(cell):
            problems.append(_("表头“%(c)s”是公式，请改为文字。") % {"c": cell.coordinate})
            continue
        text = read_text(cell.value)
        key = normalize(text)
        column = known.get(key)
        if column is None:
            if key not in {normalize(h) for h in IGNORED_HEADERS}:
                unknown.append(text)
            continue
        if column.header in seen:
            problems.append(_("列“%(h)s”出现了两次。") % {"h": column.header})
            continue
        seen[column.header] = cell.column
        if column.importable:
            positions[cell.column] = column

    missing = [c.header for c in columns if c.required and c.header not in seen]
    free_headers = [c.header for c in columns if c.header not in seen]
    for text in unknown:
        close = difflib.get_close_matches(text, free_headers, n=1, cutoff=0.4)
        if close:
            problems.append(
                _("无法识别的列“%(h)s”，您是否指：%(s)s？") % {"h": text, "s": close[0]}
            )
        else:
            problems.append(
                _("无法识别的列“%(h)s”。可用的列：%(all)s。")
                % {"h": text, "all": "、".join(c.header for c in columns)}
            )
    for header in missing:
        problems.append(_("缺少必填列“%(h)s”。") % {"h": header})
    if problems:
        raise FileRejected(problems)

    rows = []
    blank_run = 0
    for cells in worksheet.iter_rows(min_row=header_row + 1):
        mapped = [(positions[c.column], c) for c in cells if c.column in positions]
        if all(_is_blank(c.value) for _col, c in mapped):
            # Empty rows are skipped, not errors. A long run of them is the formatted but empty
            # tail some sheets carry down to row 1,048,576: the data has ended.
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if len(rows) >= MAX_ROWS:
            raise FileRejected(
                [_("一次最多导入 %(n)s 行，请把文件拆分后分批导入。") % {"n": MAX_ROWS}]
            )
        rows.append(_read_row(cells[0].row, mapped))
    return Sheet(columns=list(positions.values()), rows=rows, header_row=header_row)


def _read_row(number: int, mapped) -> SheetRow:
    row = SheetRow(number=number)
    for column, cell in mapped:
        value = cell.value
        if _is_formula(cell):
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
        if _is_blank(value):
            row.values[column.key] = None
            continue
        try:
            parsed = READERS[column.kind](value)
        except CellError as exc:
            row.errors.setdefault(column.key, []).append(str(exc))
            continue
        if column.kind == Kind.MONEY:
            parsed, note = parsed
            if note:
                row.notes.append(f"{column.header}：{note}")
        row.values[column.key] = parsed
    return row


# --- Plans ------------------------------------------------------------------------------------


@dataclass
class RowPlan:
    number: int
    label: str = ""
    status: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, reason)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (header, before, after)
    notes: list[str] = field(default_factory=list)
    # What the commit does with the row.
    target: Any = None  # the existing record (project or progress entry), if any
    fields: dict[str, Any] = field(default_factory=dict)  # values to write
    stage: Stage | None = None  # a new project's stage, or a move of an existing one
    new_investor: str = ""  # an enterprise to create first
    project: Project | None = None  # the project a progress row belongs to

    def error(self, header: str, message) -> None:
        self.errors.append((header, str(message)))

    def as_json(self) -> dict:
        return {
            "row": self.number,
            "status": self.status,
            "label": self.label,
            "errors": [list(e) for e in self.errors],
            "changes": [list(c) for c in self.changes],
            "notes": self.notes,
        }


@dataclass
class Plan:
    kind: str
    rows: list[RowPlan]
    notes: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(r.status == RowStatus.ERROR for r in self.rows)

    def counts(self) -> dict:
        counts = {status.value: 0 for status in RowStatus}
        for row in self.rows:
            counts[row.status] += 1
        counts["total"] = len(self.rows)
        return counts

    def preview(self) -> dict:
        return {"rows": [r.as_json() for r in self.rows], "notes": self.notes}


class Lookup:
    """Reference data by name (any of several names per record), with closest-name hints."""

    def __init__(self, what: str, records, names: Callable[[Any], list[str]]):
        self.what = what
        self.by_key: dict[str, list] = defaultdict(list)
        self.suggestions: list[str] = []
        for record in records:
            record_names = [n for n in names(record) if n]
            for name in {normalize(n) for n in record_names}:
                self.by_key[name].append(record)
            self.suggestions.extend(record_names)

    def find(self, text: str):
        """The record named `text`; raises CellError with a hint when there is none."""
        found = self.by_key.get(normalize(text), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise CellError(
                _("%(what)s“%(v)s”对应多条记录，请写全称。") % {"what": self.what, "v": text}
            )
        close = difflib.get_close_matches(text, self.suggestions, n=1, cutoff=0.5)
        if close:
            raise CellError(
                _("未找到%(what)s“%(v)s”。您是否指：%(s)s？")
                % {"what": self.what, "v": text, "s": close[0]}
            )
        raise CellError(
            _("未找到%(what)s“%(v)s”，请核对名称，或请管理员先在系统中添加。")
            % {"what": self.what, "v": text}
        )


def _display(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Stage):
        return str(value.label)
    if isinstance(value, User):
        return value.display_name
    if isinstance(value, ChainLink):
        return link_label(value)
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _same(old, new) -> bool:
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        old_pk = getattr(old, "pk", None)
        new_pk = getattr(new, "pk", None)
        return old_pk is not None and old_pk == new_pk or (old is None and new is None)
    if isinstance(old, str) or isinstance(new, str):
        return read_text(old or "") == read_text(new or "")
    return old == new


def header_of(columns) -> Callable[[str], str]:
    headers = {c.key: c.header for c in columns}
    return lambda key: headers.get(key, key)


def add_validation_errors(row: RowPlan, exc: ValidationError, header) -> None:
    """Add a refusal's messages to the row, by column; a cell already refused keeps its first
    reason (an unreadable amount is not also "required")."""
    refused = {h for h, _m in row.errors}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            if header(name) in refused:
                continue
            for message in messages:
                row.error(header(name), message)
    else:
        for message in exc.messages:
            row.error("", message)


# --- Projects ---------------------------------------------------------------------------------

# Foreign keys are resolved from the preloaded lookups, so field validation skips them (it would
# query each one); the bookkeeping fields belong to the services.
PROJECT_SKIP_VALIDATION = [
    "investor",
    "chain",
    "chain_link",
    "place",
    "unit",
    "leader",
    "manager",
    "event",
    "created_by",
    "stage_changed_at",
    "created_at",
    "version",
]
REFERENCE_KEYS = ("investor", "chain", "chain_link", "place", "unit", "leader")


class ProjectReferences:
    """Everything a project row is matched against, loaded once (one query each)."""

    def __init__(self):
        self.units = Lookup(_("责任单位"), Unit.objects.all(), lambda u: [u.short_name, u.name])
        self.places = Lookup(_("建设地点"), Place.objects.all(), lambda p: [p.name])
        chains = list(IndustryChain.objects.all())
        self.chains = Lookup(_("产业链"), chains, lambda c: [c.name, c.short_name])
        links = list(ChainLink.objects.select_related("chain", "parent"))
        self.links_by_chain: dict[int, Lookup] = {}
        for chain in chains:
            self.links_by_chain[chain.pk] = Lookup(
                _("%(chain)s的环节") % {"chain": chain},
                [link for link in links if link.chain_id == chain.pk],
                self._link_names,
            )
        self.all_links = Lookup(_("产业链环节"), links, self._link_names)
        self.leaders = Lookup(
            _("市级领导"),
            User.objects.filter(groups__name=roles.LEADER, is_active=True).distinct(),
            lambda u: [u.full_name, u.display_name, u.username],
        )
        self.enterprises: dict[str, list[Enterprise]] = defaultdict(list)
        for enterprise in Enterprise.objects.only("id", "name"):
            self.enterprises[normalize(enterprise.name)].append(enterprise)
        self.projects = list(
            Project.objects.select_related(
                "investor", "chain", "chain_link__parent", "place", "unit", "leader"
            ).order_by("id")
        )
        self.by_code = {p.code: p for p in self.projects}
        self.by_name_investor: dict[tuple[str, int], list[Project]] = defaultdict(list)
        for project in self.projects:
            self.by_name_investor[(normalize(project.name), project.investor_id)].append(project)
        self._codes = set(self.by_code)
        self._next = 1

    @staticmethod
    def _link_names(link) -> list[str]:
        names = [link.name]
        if link.parent_id:
            names.append(f"{link.parent.name}/{link.name}")
        return names

    def investor(self, name: str) -> Enterprise | None:
        found = self.enterprises.get(normalize(name), [])
        exact = [e for e in found if e.name == name]
        return (exact or found or [None])[0]

    def reserve_code(self, code: str) -> None:
        self._codes.add(code)

    def new_code(self, today: datetime.date) -> str:
        """JC<year>-<nnnn>, the first number no project and no row of the file uses yet."""
        while True:
            code = f"JC{today.year}-{self._next:04d}"
            self._next += 1
            if code not in self._codes:
                self._codes.add(code)
                return code


def _is_example_row(sheet_row: SheetRow, key: str, text: str) -> bool:
    value = sheet_row.values.get(key)
    return isinstance(value, str) and normalize(value) == normalize(text)


def plan_projects(sheet: Sheet, *, user, today: datetime.date | None = None, tick=None) -> Plan:
    """Match each row of a project ledger to a project and say what importing it would do."""
    today = today or timezone.localdate()
    refs = ProjectReferences()
    header = header_of(PROJECT_COLUMNS)
    present = [c for c in sheet.columns if c.key != "code"]
    seen: dict[tuple, int] = {}
    # Codes given in the file are never handed out to a row without one.
    for sheet_row in sheet.rows:
        if sheet_row.values.get("code"):
            refs.reserve_code(sheet_row.values["code"])
    created_investors: set[str] = set()

    rows = []
    for index, sheet_row in enumerate(sheet.rows):
        row = _plan_project_row(sheet_row, sheet, present, refs, user, today, header, seen)
        if row.new_investor and row.status != RowStatus.ERROR:
            # Said once per enterprise, on the first row that names it.
            key = normalize(row.new_investor)
            if key not in created_investors:
                created_investors.add(key)
                row.notes.insert(0, _("新建企业：%(n)s") % {"n": row.new_investor})
        rows.append(row)
        if tick:
            tick(index + 1, len(sheet.rows))
    return Plan(kind="projects", rows=rows)


def _plan_project_row(sheet_row, sheet, present, refs, user, today, header, seen) -> RowPlan:
    row = RowPlan(number=sheet_row.number, notes=list(sheet_row.notes))
    values = sheet_row.values
    for key, messages in sheet_row.errors.items():
        for message in messages:
            row.error(header(key), message)
    code = values.get("code") or ""
    name = values.get("name") or ""
    row.label = name or code

    if _is_example_row(sheet_row, "name", EXAMPLE_PROJECT_NAME):
        row.error(header("name"), _("这是导入模板中的示例行，请删除后再导入。"))
    for column in sheet.columns:
        if (
            column.required
            and values.get(column.key) is None
            and column.key not in sheet_row.errors
        ):
            row.error(column.header, _("必填，不能为空。"))

    # References by name.
    resolved: dict[str, Any] = {}
    investor_name = values.get("investor") or ""
    investor = refs.investor(investor_name) if investor_name else None
    if investor_name and investor is None:
        if len(investor_name) > Enterprise._meta.get_field("name").max_length:
            row.error(header("investor"), _("企业名称过长（最多 120 字）。"))
        row.new_investor = investor_name
        resolved["investor"] = Enterprise(name=investor_name)
    else:
        resolved["investor"] = investor
    for key, lookup in (("unit", refs.units), ("place", refs.places), ("chain", refs.chains)):
        resolved[key] = _resolve(row, values, key, lookup, header)
    resolved["leader"] = _resolve(row, values, "leader", refs.leaders, header)
    link_text = values.get("chain_link")
    resolved["chain_link"] = None
    if link_text:
        chain = resolved.get("chain")
        if chain is not None:
            lookup = refs.links_by_chain[chain.pk]
        elif values.get("chain"):
            lookup = None  # the chain itself is wrong; that error says enough
        else:
            lookup = refs.all_links
        if lookup is not None:
            try:
                resolved["chain_link"] = lookup.find(link_text)
            except CellError as exc:
                row.error(header("chain_link"), exc)
        if resolved["chain_link"] is not None and chain is None and sheet.has("chain"):
            resolved["chain"] = resolved["chain_link"].chain

    # Which project the row is.
    existing = refs.by_code.get(code) if code else None
    if existing is None and name and investor is not None:
        matches = refs.by_name_investor.get((normalize(name), investor.pk), [])
        if len(matches) > 1:
            row.error(
                header("code"),
                _("系统中有 %(n)s 个同名且投资方相同的项目，请填写项目编号以区分。")
                % {"n": len(matches)},
            )
        elif matches:
            if code and matches[0].code != code:
                row.error(
                    header("code"),
                    _("已有同名、同投资方的项目，编号为 %(c)s，与本行编号 %(mine)s 不同，请核对。")
                    % {"c": matches[0].code, "mine": code},
                )
            else:
                existing = matches[0]
    _check_duplicate(row, seen, existing, code, name, investor_name)

    target = values.get("stage")
    if existing is not None:
        row.target = existing
        row.label = f"{name or existing.name}（{existing.code}）"
        _plan_update(row, existing, values, resolved, present, target, user, header)
    else:
        _plan_create(row, values, resolved, present, target, code, refs, user, today, header)
    if row.errors:
        row.status = RowStatus.ERROR
    return row


def _resolve(row, values, key, lookup, header):
    text = values.get(key)
    if not text:
        return None
    try:
        return lookup.find(text)
    except CellError as exc:
        row.error(header(key), exc)
        return None


def _check_duplicate(row, seen, existing, code, name, investor_name) -> None:
    """A project may appear on one row only; the later rows say which row came first."""
    if existing is not None:
        keys = [("project", existing.pk)]
    else:
        keys = [("code", code)] if code else []
        if name and investor_name:
            keys.append(("name", normalize(name), normalize(investor_name)))
    for key in keys:
        if key in seen:
            row.error(
                _("项目"),
                _("与第 %(n)s 行是同一个项目（编号相同，或项目名称和投资方都相同），请合并为一行。")
                % {"n": seen[key]},
            )
            return
    for key in keys:
        seen[key] = row.number


def _wanted(values, resolved, present) -> dict[str, Any]:
    """The value each column present in the file asks for (blank text is "", blank else None)."""
    wanted = {}
    for column in present:
        if column.key == "stage":
            continue
        if column.key in REFERENCE_KEYS:
            wanted[column.key] = resolved.get(column.key)
        elif column.kind == Kind.TEXT:
            wanted[column.key] = values.get(column.key) or ""
        else:
            wanted[column.key] = values.get(column.key)
    if wanted.get("chain_link") is not None and "chain" not in wanted:
        wanted["chain"] = wanted["chain_link"].chain
    return wanted


def _validate_project(row: RowPlan, candidate: Project, header) -> None:
    """The model's field rules and the services' date rules, on the project as it would be."""
    try:
        candidate.clean_fields(exclude=PROJECT_SKIP_VALIDATION)
    except ValidationError as exc:
        add_validation_errors(row, exc, header)
    try:
        # The same date rules project_create/project_update apply (started after signed, no
        # future actual dates, the link belongs to the chain).
        services.check_dates(candidate)
    except ValidationError as exc:
        add_validation_errors(row, exc, header)


def _plan_update(row, project, values, resolved, present, target, user, header) -> None:
    wanted = _wanted(values, resolved, present)
    current = Stage(project.stage)
    # A cell that could not be read (or names nothing) is left out of the comparison: the row
    # is an error anyway, and comparing its None with the stored value would show a false change.
    bad = {h for h, _m in row.errors}
    for key, new in wanted.items():
        if header(key) in bad:
            continue
        old = getattr(project, key)
        if not _same(old, new):
            row.fields[key] = new
            row.changes.append((header(key), _display(old), _display(new)))
    moving = target is not None and target != current and header("stage") not in bad
    if moving:
        row.stage = target
        row.changes.append((header("stage"), _display(current), _display(target)))
    if not row.fields and not moving:
        row.status = RowStatus.UNCHANGED
        return
    row.status = RowStatus.UPDATED
    if not roles.can_edit_project(user, project):
        row.error(
            header("unit"),
            _("该项目属于%(unit)s，您只能导入本单位的项目。") % {"unit": project.unit},
        )
        return
    candidate = copy.copy(project)
    for key, value in row.fields.items():
        setattr(candidate, key, value)
    if not roles.can_edit_project(user, candidate):
        row.error(
            header("unit"),
            _("不能把项目移交给其他单位（%(unit)s）。") % {"unit": candidate.unit},
        )
    _validate_project(row, candidate, header)
    stage = target if moving else current
    if moving and not stages.is_allowed_move(current, target):
        row.error(
            header("stage"),
            _("不能从%(a)s直接变更为%(b)s。") % {"a": current.label, "b": target.label},
        )
        return
    for requirement in stages.unmet_requirements(candidate, stage):
        row.error(header("stage"), requirement.message)


def _plan_create(row, values, resolved, present, target, code, refs, user, today, header) -> None:
    row.status = RowStatus.NEW
    row.stage = target or Stage.RED
    unit = resolved.get("unit")
    if unit is not None and not roles.can_create_project(user, unit):
        own = getattr(user, "unit", None)
        row.error(
            header("unit"),
            _("您只能导入本单位（%(own)s）的项目；该行的责任单位是%(unit)s。")
            % {"own": own or _("未设置单位"), "unit": unit},
        )
    row.fields = _wanted(values, resolved, present)
    if not code:
        code = refs.new_code(today)
        row.notes.append(_("自动编号：%(c)s") % {"c": code})
    row.fields["code"] = code
    candidate = Project(stage=row.stage, **row.fields)
    _validate_project(row, candidate, header)
    for requirement in stages.unmet_requirements(candidate, row.stage):
        row.error(header("stage"), requirement.message)


# --- Monthly progress -------------------------------------------------------------------------


def plan_progress(sheet: Sheet, *, user, today: datetime.date | None = None, tick=None) -> Plan:
    """Match each progress row to its project and month, and say what importing it would do."""
    today = today or timezone.localdate()
    header = header_of(PROGRESS_COLUMNS)
    projects = list(Project.objects.select_related("unit").order_by("id"))
    by_code = {p.code: p for p in projects}
    by_name: dict[str, list[Project]] = defaultdict(list)
    for project in projects:
        by_name[normalize(project.name)].append(project)
    project_names = [p.name for p in projects]
    months = {r.values["month"] for r in sheet.rows if r.values.get("month")}
    # One query: the entries of the months the file speaks of, by (project, month).
    entries = {(e.project_id, e.month): e for e in MonthlyProgress.objects.filter(month__in=months)}
    seen: dict[tuple, int] = {}
    rows = []
    for index, sheet_row in enumerate(sheet.rows):
        row = _plan_progress_row(
            sheet_row, sheet, by_code, by_name, project_names, entries, seen, user, today, header
        )
        rows.append(row)
        if tick:
            tick(index + 1, len(sheet.rows))
    return Plan(kind="progress", rows=rows)


def _find_project(row, values, by_code, by_name, project_names, header) -> Project | None:
    code = values.get("project_code") or ""
    name = values.get("project_name") or ""
    if code:
        project = by_code.get(code)
        if project is None:
            row.error(header("project_code"), _("未找到编号为“%(c)s”的项目。") % {"c": code})
        elif name and normalize(project.name) != normalize(name):
            row.error(
                header("project_name"),
                _("编号 %(c)s 的项目名称是“%(n)s”，与本行的“%(mine)s”不一致。")
                % {"c": code, "n": project.name, "mine": name},
            )
        return project
    if not name:
        return None
    matches = by_name.get(normalize(name), [])
    if len(matches) > 1:
        row.error(
            header("project_code"),
            _("系统中有 %(n)s 个名为“%(name)s”的项目，请填写项目编号。")
            % {"n": len(matches), "name": name},
        )
        return None
    if not matches:
        close = difflib.get_close_matches(name, project_names, n=1, cutoff=0.6)
        hint = _("您是否指：%(s)s？") % {"s": close[0]} if close else ""
        row.error(header("project_name"), _("未找到项目“%(n)s”。") % {"n": name} + hint)
        return None
    return matches[0]


def _plan_progress_row(
    sheet_row, sheet, by_code, by_name, project_names, entries, seen, user, today, header
) -> RowPlan:
    row = RowPlan(number=sheet_row.number, notes=list(sheet_row.notes))
    values = sheet_row.values
    for key, messages in sheet_row.errors.items():
        for message in messages:
            row.error(header(key), message)
    row.label = values.get("project_name") or values.get("project_code") or ""
    if _is_example_row(sheet_row, "narrative", EXAMPLE_PROGRESS_NARRATIVE):
        row.error(header("narrative"), _("这是导入模板中的示例行，请删除后再导入。"))
    for column in sheet.columns:
        if (
            column.required
            and values.get(column.key) is None
            and column.key not in sheet_row.errors
        ):
            row.error(column.header, _("必填，不能为空。"))

    project = _find_project(row, values, by_code, by_name, project_names, header)
    month = values.get("month")
    if project is not None:
        row.project = project
        row.label = f"{project.name}（{project.code}）"
    if month is not None:
        row.label += f" {month.year}年{month.month}月"
    if project is None or month is None:
        row.status = RowStatus.ERROR
        return row
    key = (project.pk, month)
    if key in seen:
        row.error(
            header("month"),
            _("与第 %(n)s 行是同一项目同一月份，请合并为一行。") % {"n": seen[key]},
        )
    else:
        seen[key] = row.number

    wanted = {}
    for column in sheet.columns:
        if column.key in ("project_code", "project_name", "month"):
            continue
        value = values.get(column.key)
        wanted[column.key] = (value or "") if column.kind == Kind.TEXT else value

    entry = entries.get(key)
    if entry is None:
        row.status = RowStatus.NEW
        row.fields = {"month": month, **wanted}
        candidate = MonthlyProgress(project=project, **row.fields)
    else:
        row.target = entry
        bad = {h for h, _m in row.errors}
        for name, new in wanted.items():
            if header(name) in bad:
                continue
            old = getattr(entry, name)
            if not _same(old, new):
                row.fields[name] = new
                row.changes.append((header(name), _display(old), _display(new)))
        row.status = RowStatus.UPDATED if row.fields else RowStatus.UNCHANGED
        candidate = copy.copy(entry)
        for name, value in row.fields.items():
            setattr(candidate, name, value)
    if row.status != RowStatus.UNCHANGED:
        if not roles.can_edit_project(user, project):
            row.error(
                header("project_name"),
                _("该项目属于%(unit)s，您只能导入本单位项目的进展。") % {"unit": project.unit},
            )
        # The progress service's own rules (month, amounts, the model's checks), as the
        # commit will apply them; duplicates were matched to their entries above.
        refused = {h for h, _m in row.errors}
        errors = {}
        services.check_progress(candidate, errors, today=today, unique=False)
        for name, messages in errors.items():
            if header(name) not in refused:
                for message in [messages] if isinstance(messages, str) else messages:
                    row.error(header(name), message)
    if row.errors:
        row.status = RowStatus.ERROR
    return row


PLANNERS = {"projects": plan_projects, "progress": plan_progress}
COLUMNS = IMPORT_COLUMNS
