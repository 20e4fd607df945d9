"""Planning a monthly progress ledger (填报表): each row matched to its project and month,
checked with the progress services' own rules (see ledger/imports.py)."""

import copy
import datetime
import difflib
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from ledger.columns import (
    PROGRESS_COLUMNS,
    Kind,
)
from ledger.plan import (
    EXAMPLE_PROGRESS_NARRATIVE,
    Plan,
    RowPlan,
    RowStatus,
    display,
    header_of,
    is_example_row,
    same,
    sheet_label,
    skipped_row,
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
from org import roles
from projects import services
from projects.models import MonthlyProgress, Project

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
    months |= {r.month for r in sheet.rows if r.month is not None}
    # One query: the entries of the months the file speaks of, by (project, month).
    entries = {(e.project_id, e.month): e for e in MonthlyProgress.objects.filter(month__in=months)}
    seen: dict[tuple, int] = {}
    rows = []
    for index, sheet_row in enumerate(sheet.rows):
        if sheet_row.skip:
            rows.append(skipped_row(sheet, sheet_row))
            continue
        row = _plan_progress_row(
            sheet_row, sheet, by_code, by_name, project_names, entries, seen, user, today, header
        )
        rows.append(row)
        if tick:
            tick(index + 1, len(sheet.rows))
    return Plan(
        kind="progress", rows=rows, reading=list(sheet.notes), unknown_columns=sheet.unknown
    )


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
    row = RowPlan(
        number=sheet_row.number,
        sheet=sheet_label(sheet, sheet_row),
        notes=list(sheet_row.notes),
    )
    values = sheet_row.values
    for key, messages in sheet_row.errors.items():
        for message in messages:
            row.error(header(key), message)
    row.label = values.get("project_name") or values.get("project_code") or ""
    if is_example_row(sheet_row, "narrative", EXAMPLE_PROGRESS_NARRATIVE):
        row.error(header("narrative"), _("这是导入模板中的示例行，请删除后再导入。"))
    for column in sheet.columns:
        if (
            column.key in sheet_row.keys
            and column.required
            and values.get(column.key) is None
            and column.key not in sheet_row.errors
        ):
            row.error(column.header, _("必填，不能为空。"))

    project = _find_project(row, values, by_code, by_name, project_names, header)
    month = values.get("month")
    if "month" not in sheet_row.keys:
        # A 填报表 of one month says which in its title ("2025年6月重点项目进展填报表").
        month = sheet_row.month
        if month is None:
            row.error(header("month"), _("必填。表中没有“月份”列，表格标题中也没有写明年月。"))
        else:
            row.notes.append(
                _("月份取自表格标题：%(y)s年%(m)s月") % {"y": month.year, "m": month.month}
            )
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
        if column.key not in sheet_row.keys or column.key in (
            "project_code",
            "project_name",
            "month",
        ):
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
            if not same(old, new):
                row.fields[name] = new
                row.changes.append((header(name), display(old), display(new)))
        row.status = RowStatus.UPDATED if row.fields else RowStatus.UNCHANGED
        candidate = copy.copy(entry)
        for name, value in row.fields.items():
            setattr(candidate, name, value)
    if row.status != RowStatus.UNCHANGED:
        if not roles.can_work_on_project(user, project):
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
