"""Reading a ledger and planning what importing it would do, without writing anything.

The shared plan (row status, changes, look-ups) is ledger/plan.py; the progress ledger's
planning is ledger/imports_progress.py; this module plans a project ledger and names them all.

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
import re
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from chains.models import ChainLink, IndustryChain
from ledger.columns import (  # noqa: F401 - PROGRESS_COLUMNS also used through this module
    IMPORT_COLUMNS,
    PROGRESS_COLUMNS,
    PROJECT_COLUMNS,
    Kind,
)
from ledger.imports_progress import plan_progress
from ledger.plan import (  # noqa: F401 - the plan's names, also used through this module
    EMPTY,
    EXAMPLE_PROGRESS_NARRATIVE,
    EXAMPLE_PROJECT_NAME,
    SKIP_REASONS,
    Lookup,
    Plan,
    RowPlan,
    RowStatus,
    add_validation_errors,
    display,
    header_of,
    is_example_row,
    read_sheet,
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
from org.models import Place, Unit, User
from projects import services, stages
from projects.models import Enterprise, Project
from projects.stages import Stage

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
        self.units = Lookup(
            _("责任单位"),
            Unit.objects.all(),
            lambda u: [u.short_name, u.name],
            loosen=_unit_readings,
        )
        # A place written with its township or park ("金川区宁远堡镇") is the place it is in.
        places = list(Place.objects.all())
        self.places = Lookup(_("建设地点"), places, lambda p: [p.name], within=lambda p: [p.name])
        chains = list(IndustryChain.objects.all())
        # "有色金属新材料产业链" is the chain 有色金属新材料 (the one chain named in it).
        self.chains = Lookup(
            _("产业链"), chains, lambda c: [c.name, c.short_name], within=lambda c: [c.name]
        )
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
            loosen=_leader_readings,
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


def plan_projects(sheet: Sheet, *, user, today: datetime.date | None = None, tick=None) -> Plan:
    """Match each row of a project ledger to a project and say what importing it would do."""
    today = today or timezone.localdate()
    refs = ProjectReferences()
    header = header_of(PROJECT_COLUMNS)
    present = [c for c in sheet.columns if c.key != "code"]
    seen: dict[tuple, int] = {}
    created_investors: set[str] = set()

    rows = []
    for index, sheet_row in enumerate(sheet.rows):
        if sheet_row.skip:
            rows.append(skipped_row(sheet, sheet_row))
            continue
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
    return Plan(
        kind="projects", rows=rows, reading=list(sheet.notes), unknown_columns=sheet.unknown
    )


def _plan_project_row(sheet_row, sheet, present, refs, user, today, header, seen) -> RowPlan:
    row = RowPlan(
        number=sheet_row.number,
        sheet=sheet_label(sheet, sheet_row),
        notes=list(sheet_row.notes),
    )
    values = sheet_row.values
    for key, messages in sheet_row.errors.items():
        for message in messages:
            row.error(header(key), message)
    code = values.get("code") or ""
    name = values.get("name") or ""
    row.label = name or code

    if is_example_row(sheet_row, "name", EXAMPLE_PROJECT_NAME):
        row.error(header("name"), _("这是导入模板中的示例行，请删除后再导入。"))
    # Only the columns of the row's own sheet: a column another sheet has is left as it is.
    present = [c for c in present if c.key in sheet_row.keys]
    for column in sheet.columns:
        if (
            column.key in sheet_row.keys
            and column.required
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
        if resolved["chain_link"] is not None and chain is None and "chain" in sheet_row.keys:
            resolved["chain"] = resolved["chain_link"].chain
    present = _from_context(row, sheet_row, resolved, present, refs, header)

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


def _from_context(row, sheet_row, resolved, present, refs, header) -> list:
    """The place and chain a row leaves blank, taken from the section titles above it or its
    sheet's name ("一、有色金属新材料产业链（12个）", a sheet "永昌县"), and said in the preview."""
    present = list(present)
    for key, lookup in (("place", refs.places), ("chain", refs.chains)):
        if sheet_row.values.get(key) or key in sheet_row.errors or resolved.get(key):
            continue
        sources = [(_("分组标题"), t) for t in reversed(sheet_row.sections)]
        sources.append((_("工作表名"), sheet_row.sheet))
        for where, text in sources:
            found = lookup.within(text) if text else None  # full names only
            if found is not None:
                resolved[key] = found
                if key not in {c.key for c in present}:
                    present.append(next(c for c in PROJECT_COLUMNS if c.key == key))
                row.notes.append(
                    _("%(h)s取自%(where)s“%(t)s”：%(v)s")
                    % {"h": header(key), "where": where, "t": text, "v": found}
                )
                break
    if resolved.get("place") is None and "place" not in sheet_row.keys:
        row.error(
            header("place"),
            _("必填。表中没有“建设地点”列，工作表名和分组标题中也没有可识别的地点。"),
        )
    return present


def _resolve(row, values, key, lookup, header):
    text = values.get(key)
    if not text:
        return None
    try:
        record, note = lookup.find_loose(text)
    except CellError as exc:
        row.error(header(key), exc)
        return None
    if note:
        row.notes.append(f"{header(key)}：{note}")
    return record


_CITY_PREFIX = re.compile(r"^(?:甘肃省)?(?:金昌市|市)")
_LEADER_TITLE = re.compile(
    r"[(（\[【].*[)）\]】]$|(?:常务副市长|副市长|市长|副书记|书记|主任|副主任|部长|秘书长|"
    r"主席|副主席|同志)$"
)


def _unit_readings(text: str) -> list[str]:
    """ "市工信局", "金昌市工信局" → 工信局: a unit written with the city before it."""
    stripped = _CITY_PREFIX.sub("", normalize(text))
    return [stripped] if stripped and stripped != normalize(text) else []


def _leader_readings(text: str) -> list[str]:
    """ "王明远副市长", "王明远（副市长）" → 王明远; two names ("王明远、李四") are not one."""
    if re.search(r"[、,，;；/]", text):
        return []
    stripped = _LEADER_TITLE.sub("", normalize(text))
    return [stripped] if stripped and stripped != normalize(text) else []


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


def _validate_project(row: RowPlan, candidate: Project, header, exclude=()) -> None:
    """The model's field rules and the services' date rules, on the project as it would be."""
    try:
        candidate.clean_fields(exclude=[*PROJECT_SKIP_VALIDATION, *exclude])
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
        if not same(old, new):
            row.fields[key] = new
            row.changes.append((header(key), display(old), display(new)))
    moving = target is not None and target != current and header("stage") not in bad
    if moving:
        row.stage = target
        row.changes.append((header("stage"), display(current), display(target)))
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
    # What the ledger leaves out is to fill in (需补录); what it empties and the project had,
    # while its stage stands on it, is refused (the edit service refuses it too).
    had_missing = {r.field for r in stages.unmet_requirements(project, current)}
    # A move meets what it reaches; staying put, the stage keeps what it stands on.
    unmet = (
        stages.unmet_requirements(candidate, stage, from_stage=current)
        if moving
        else stages.unmet_requirements(candidate, current, moving=False)
    )
    for requirement in unmet:
        if requirement.field in row.fields and requirement.field not in had_missing:
            row.error(header("stage"), requirement.message)
        elif moving:
            _backfill(row, requirement, stage, header)
        else:
            row.notes.append(_missing_note(requirement, stage, header))


def _plan_create(row, values, resolved, present, target, code, refs, user, today, header) -> None:
    row.status = RowStatus.NEW
    row.stage = target or Stage.RED
    if row.stage not in stages.START_STAGES:
        row.error(header("stage"), stages.START_MESSAGE)  # project_create's own rule
    unit = resolved.get("unit")
    if unit is not None and not roles.can_create_project(user, unit):
        own = getattr(user, "unit", None)
        row.error(
            header("unit"),
            _("您只能导入本单位（%(own)s）的项目；该行的责任单位是%(unit)s。")
            % {"own": own or _("未设置单位"), "unit": unit},
        )
    row.fields = _wanted(values, resolved, present)
    if code:
        row.fields["code"] = code
    else:
        # project_create gives the office's next number (JC-2026-0042) when the row is saved.
        row.notes.append(_("保存时自动编号（JC-年份-序号）"))
    candidate = Project(stage=row.stage, **row.fields)
    _validate_project(row, candidate, header, exclude=[] if code else ["code"])
    for requirement in stages.unmet_requirements(candidate, row.stage):
        _backfill(row, requirement, row.stage, header)


def _missing_note(requirement, stage, header) -> str:
    return _("需补录：%(f)s（台账标明为%(s)s，导入后请在项目页补填）") % {
        "f": header(requirement.field) if requirement.field != "intent_note" else _("合作意向"),
        "s": Stage(stage).label,
    }


def _backfill(row: "RowPlan", requirement, stage, header) -> None:
    """The ledger states a stage whose requirement the project lacks: the stage is imported
    as stated (projects.backfill) and the preview lists what to fill in."""
    row.stated = True
    row.notes.append(_missing_note(requirement, stage, header))


PLANNERS = {"projects": plan_projects, "progress": plan_progress}
COLUMNS = IMPORT_COLUMNS
