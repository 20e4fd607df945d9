"""Writing lists as .xlsx: Chinese headers, amounts as numbers in 万元, dates as dates, the
applied filters above the table, a frozen header row and set column widths.

Plain functions `export_<kind>(rows, *, applied_filters) -> bytes`, shared by the pages and the
API. openpyxl's write-only mode streams the rows, so 10,000 projects export in seconds; the
callers pass querysets that read everything a row shows in a constant number of queries.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

import django_filters
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jinchang.spreadsheet import safe_text
from ledger.columns import (
    EVENT_COLUMNS,
    IMPORT_COLUMNS,
    OPPORTUNITY_COLUMNS,
    PROBLEM_COLUMNS,
    PROGRESS_COLUMNS,
    PROJECT_COLUMNS,
    TARGET_COLUMNS,
    TASKFORCE_COLUMNS,
    Column,
    Kind,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_FORMATS = {
    Kind.MONEY: MONEY_FORMAT,
    Kind.DATE: DATE_FORMAT,
    Kind.MONTH: MONTH_FORMAT,
    Kind.DATETIME: DATETIME_FORMAT,
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
TITLE_FONT = Font(bold=True, size=14)

AppliedFilters = Sequence[tuple[str, str]]


def _text(value: str) -> str:
    # Excel cannot hold control characters (openpyxl refuses the cell); a name pasted from
    # another system may carry one. Dropped, so the row still exports.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _plain(value):
    """A value openpyxl writes as it should appear: numbers stay numbers, dates stay dates,
    text without the control characters Excel cannot hold."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    return _text(str(value))


def filters_line(applied_filters: AppliedFilters) -> str:
    if not applied_filters:
        return _("筛选条件：全部（未筛选）")
    parts = [f"{label}：{value}" for label, value in applied_filters]
    return _text(_("筛选条件：") + "；".join(parts))


def write_sheet(
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable,
    applied_filters: AppliedFilters = (),
    with_preamble: bool = True,
) -> bytes:
    """One sheet: the title, the applied filters and the export time above the header row
    (frozen), then a row per object."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width

    header_row = 4 if with_preamble else 1
    # In write-only mode the sheet's view and columns are written with the first row.
    sheet.freeze_panes = f"A{header_row + 1}"
    if with_preamble:
        title_cell = WriteOnlyCell(sheet, value=title)
        title_cell.font = TITLE_FONT
        sheet.append([title_cell])
        sheet.append([filters_line(applied_filters)])
        now = timezone.localtime()
        sheet.append([_("导出时间：%(t)s　金额单位：万元") % {"t": f"{now:%Y-%m-%d %H:%M}"}])

    headers = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        headers.append(cell)
    sheet.append(headers)

    formats = [NUMBER_FORMATS.get(column.kind) for column in columns]
    count = 0
    for obj in rows:
        values = []
        for column, number_format in zip(columns, formats, strict=True):
            value = _plain(column.value(obj))
            if number_format and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                value = cell
            values.append(safe_text(value))
        sheet.append(values)
        count += 1
    last_column = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + max(count, 1)}"
    sheet.print_options.gridLines = True
    sheet.page_setup.orientation = "landscape"

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The lists ---------------------------------------------------------------------------------

# Each list's sheet: its title and its columns (the project and progress columns are the ones
# the import reads). The rows come from `ledger.selectors.SOURCES[kind]`, which selects what
# the columns print (a project's chain link with its parent, an event's signed sums).
SHEETS = {
    "projects": (gettext_lazy("金昌市招商引资项目台账"), PROJECT_COLUMNS),
    "progress": (gettext_lazy("招商引资项目月度进展"), PROGRESS_COLUMNS),
    "problems": (gettext_lazy("项目难点堵点清单"), PROBLEM_COLUMNS),
    "events": (gettext_lazy("招商活动"), EVENT_COLUMNS),
    "opportunities": (gettext_lazy("投资机会清单"), OPPORTUNITY_COLUMNS),
    "targets": (gettext_lazy("目标企业清单"), TARGET_COLUMNS),
    "taskforces": (gettext_lazy("产业链专班责任清单"), TASKFORCE_COLUMNS),
}


def export(kind: str, rows, *, applied_filters: AppliedFilters = ()) -> bytes:
    """The list `kind` as an .xlsx, with the applied filters written above the table."""
    title, columns = SHEETS[kind]
    return write_sheet(
        title=str(title), columns=columns, rows=rows, applied_filters=applied_filters
    )


# --- Describing filters ---------------------------------------------------------------------


def _choice_labels(field) -> dict[str, str]:
    labels = {}
    for value, label in getattr(field, "choices", ()) or ():
        if isinstance(label, list | tuple):  # an option group
            labels.update({str(v): str(lab) for v, lab in label})
        else:
            labels[str(value)] = str(label)
    return labels


def _describe_value(field, value, *, ordering=False) -> str:
    if isinstance(value, list | tuple | set):
        return "、".join(_describe_value(field, v, ordering=ordering) for v in value)
    if ordering and isinstance(value, str) and value.startswith("-"):
        return _("%(field)s（降序）") % {"field": _choice_labels(field).get(value[1:], value[1:])}
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, models.Model):
        return str(value)
    return _choice_labels(field).get(str(value), str(value))


def describe_filters(filterset) -> list[tuple[str, str]]:
    """The filters a (valid, bound) django-filter FilterSet applies, as (label, value) in the
    page's words: [("色卡阶段", "红色、橙色"), ("责任单位", "招商局")]."""
    form = filterset.form
    if not form.is_bound or not form.is_valid():
        return []
    described = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value is None or value == "" or value == [] or value == ():
            continue
        ordering = isinstance(filterset.filters.get(name), django_filters.OrderingFilter)
        described.append(
            (str(field.label or name), _describe_value(field, value, ordering=ordering))
        )
    return described


# --- Templates ------------------------------------------------------------------------------


def template_workbook(kind: str, *, example: dict) -> bytes:
    """The import template: the header row and one example row (recognised and refused by
    the import if left in), then a sheet of instructions."""
    columns = [c for c in IMPORT_COLUMNS[kind] if c.importable]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("导入模板"))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    headers = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        headers.append(cell)
    sheet.append(headers)
    values = []
    for column in columns:
        value = example.get(column.key)
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format and value is not None and not isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            value = cell
        values.append(safe_text(value))
    sheet.append(values)

    notes = workbook.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 90
    for line in INSTRUCTIONS[kind](columns):
        notes.append(line)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _common_instructions(columns) -> list[tuple[str, str]]:
    required = "、".join(c.header for c in columns if c.required)
    return [
        (_("表头"), _("第一行为列名，请勿修改、合并或删除必填列：%(r)s。") % {"r": required}),
        (_("金额"), _("单位为万元，填数字；写成“5000万”“1.2亿”也可，导入时换算为万元。")),
        (_("日期"), _("可写 2025-06-26、2025/6/26、2025.6.26 或 2025年6月26日。")),
        (_("公式"), _("不接受公式，请先复制后“选择性粘贴 → 数值”。")),
        (_("示例行"), _("第二行为示例，导入前请删除。")),
    ]


def _project_instructions(columns) -> list[tuple[str, str]]:
    return [
        *_common_instructions(columns),
        (
            _("项目编号"),
            _("已有项目按编号匹配；未填编号时按“项目名称 + 投资方”匹配，找不到则新增。"),
        ),
        (_("色卡阶段"), _("红/橙/蓝/绿/已投产/终止，或 红色、橙色、蓝色、绿色。")),
        (
            _("名称"),
            _(
                "责任单位、建设地点、产业链、环节、包抓市级领导须与系统中的名称一致；"
                "投资方不存在时自动新建企业。"
            ),
        ),
        (_("权限"), _("招商专员只能导入本单位的项目。")),
    ]


def _progress_instructions(columns) -> list[tuple[str, str]]:
    return [
        *_common_instructions(columns),
        (_("项目"), _("按项目编号匹配；未填编号时按项目名称匹配。")),
        (_("月份"), _("可写 2025-06、2025/6 或 2025年6月；同一项目同一月份只能有一行。")),
    ]


INSTRUCTIONS = {"projects": _project_instructions, "progress": _progress_instructions}
