"""What importing a ledger would do, row by row: the plan both import kinds build (a row's
status, changes and errors), the look-ups of reference data, and how values are shown."""

import datetime
import difflib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chains.models import ChainLink
from ledger.columns import (
    link_label,
)
from ledger.reader import (  # noqa: F401 - the reader's names, re-exported for the services
    MAX_ROWS,
    CellError,
    FileRejected,
    Sheet,
    SheetRow,
    Skip,
    normalize,
    read_ledger,
    read_text,
)
from org.models import User
from projects.models import Project
from projects.stages import Stage

logger = logging.getLogger(__name__)

# The template's example row is recognised by this name, so an upload of the untouched
# template does not create a project called "示例".
EXAMPLE_PROJECT_NAME = "年产2万吨装配式钢结构建筑产品生产线（示例，导入前请删除此行）"
EXAMPLE_PROGRESS_NARRATIVE = "（示例，导入前请删除此行）主体厂房完成封顶，设备进场安装。"

EMPTY = "（空）"


class RowStatus(models.TextChoices):
    NEW = "new", gettext_lazy("新增")
    UPDATED = "updated", gettext_lazy("更新")
    UNCHANGED = "unchanged", gettext_lazy("未变")
    SKIPPED = "skipped", gettext_lazy("跳过")
    ERROR = "error", gettext_lazy("错误")


def read_sheet(fileobj, columns, remembered=None) -> Sheet:
    """The typed rows of a ledger file (see ledger.reader)."""
    return read_ledger(fileobj, columns, remembered)


SKIP_REASONS = {
    Skip.SECTION: gettext_lazy("分组标题行，不是项目，已跳过"),
    Skip.TOTAL: gettext_lazy("合计/小计行，不是项目，已跳过"),
    Skip.NOTE: gettext_lazy("说明、落款或只有备注等不导入内容的行，不是项目，已跳过"),
    Skip.HEADER: gettext_lazy("重复的表头行，不是项目，已跳过"),
    Skip.HIDDEN: gettext_lazy("隐藏的行（或被筛选隐藏），没有导入；要导入请在 Excel 中取消隐藏"),
}


def sheet_label(sheet: Sheet, sheet_row: SheetRow) -> str:
    """The sheet's name beside a row number, when the file has several sheets."""
    return sheet_row.sheet if len(sheet.sheet_names) > 1 else ""


def skipped_row(sheet: Sheet, sheet_row: SheetRow) -> "RowPlan":
    row = RowPlan(
        number=sheet_row.number, sheet=sheet_label(sheet, sheet_row), status=RowStatus.SKIPPED
    )
    row.label = sheet_row.skip_text
    row.notes.append(str(SKIP_REASONS[sheet_row.skip]))
    return row


# --- Plans ------------------------------------------------------------------------------------


@dataclass
class RowPlan:
    number: int
    sheet: str = ""  # the sheet's name when the file has several
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
    # The stage is imported as the ledger states it, with requirements left to fill in
    # (需补录; projects.services' `stated`).
    stated: bool = False
    project: Project | None = None  # the project a progress row belongs to

    def error(self, header: str, message) -> None:
        self.errors.append((header, str(message)))

    def as_json(self) -> dict:
        return {
            "row": self.number,
            "sheet": self.sheet,
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

    # What the reader did with the file: sheets read and ignored, columns ignored, blank rows.
    reading: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    def preview(self) -> dict:
        return {
            "rows": [r.as_json() for r in self.rows],
            "notes": self.notes,
            "reading": self.reading,
            "unknown_columns": self.unknown_columns,
        }


class Lookup:
    """Reference data by name (any of several names per record), with closest-name hints."""

    def __init__(
        self,
        what: str,
        records,
        names: Callable[[Any], list[str]],
        loosen: Callable[[str], list[str]] | None = None,
        within: Callable[[Any], list[str]] | None = None,
    ):
        self.what = what
        # Other readings of a name the exact match missed ("市工信局" → 工信局, "王明远副市长"
        # → 王明远), and the names that will do when found inside the text ("金川区宁远堡镇"
        # → 金川区; full names only, a short one like "有色" says too little).
        self.loosen = loosen
        self.by_full_name: dict[str, list] = defaultdict(list)
        for record in records if within else ():
            for name in {normalize(n) for n in within(record) if n}:
                self.by_full_name[name].append(record)
        self.by_key: dict[str, list] = defaultdict(list)
        self.suggestions: list[str] = []
        for record in records:
            record_names = [n for n in names(record) if n]
            for name in {normalize(n) for n in record_names}:
                self.by_key[name].append(record)
            self.suggestions.extend(record_names)

    def find_loose(self, text: str):
        """The record named `text`, or read more loosely as said above; (record, note) where
        the note says how it was read. Raises the exact match's CellError otherwise."""
        try:
            return self.find(text), ""
        except CellError as exc:
            error = exc
        found = set()
        records = {}
        for candidate in self.loosen(text) if self.loosen else []:
            for record in self.by_key.get(normalize(candidate), []):
                found.add(record.pk)
                records[record.pk] = record
        if not found and self.by_full_name:
            record = self._within(text, self.by_full_name)
            if record is not None:
                found, records = {record.pk}, {record.pk: record}
        if len(found) == 1:
            record = records[found.pop()]
            return record, _("“%(v)s”按 %(r)s 导入") % {"v": text, "r": record}
        raise error

    def within(self, text: str):
        """The one record whose full name (two characters or more) the text contains,
        preferring the longest name; None when there is none or it is not clear which."""
        return self._within(text, self.by_full_name)

    @staticmethod
    def _within(text: str, by_key: dict):
        text = normalize(text)
        hits = [
            (len(k), r)
            for k, records in by_key.items()
            if len(k) >= 2 and k in text
            for r in records
        ]
        if not hits:
            return None
        longest = max(n for n, _r in hits)
        records = {r.pk: r for n, r in hits if n == longest}
        return next(iter(records.values())) if len(records) == 1 else None

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


def display(value) -> str:
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


def same(old, new) -> bool:
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


def is_example_row(sheet_row: SheetRow, key: str, text: str) -> bool:
    value = sheet_row.values.get(key)
    return isinstance(value, str) and normalize(value) == normalize(text)
