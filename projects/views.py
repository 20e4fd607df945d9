"""The project pages of an officer's daily work: the ledger list, the color board, a project's
page, and the forms that create, edit and move a project.

Views read through `projects.selectors` and write through `projects.services` (which check
permissions themselves); the checks here only decide what to show and refuse early.
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q, Sum
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jinchang.formats import money
from jinchang.links import reverse_each
from org import roles
from org.roles import reader_required
from projects import backfill, selectors, selectors_work, services, stages
from projects.filters import YES_NO, ProjectFilter
from projects.forms import ProjectForm, TransitionForm, attach_errors
from projects.models import Project, chain_models
from projects.stages import Stage

_IndustryChain, ChainLink = chain_models()

LIST_PAGE_SIZE = 50
# The board shows the largest projects of each column; "查看全部" opens the filtered list.
BOARD_CARDS_PER_COLUMN = 30
HISTORY_LIMIT = 30


# A yes/no filter reads "全部 / 是 / 否" rather than Django's "未知 / 是 / 否".
YES_NO_FILTERS = ["is_key", "overdue", "no_progress", "flagged"]


def _project_filter(request) -> ProjectFilter:
    filterset = ProjectFilter(request.GET, queryset=selectors.projects_to_list(user=request.user))
    fields = filterset.form.fields
    # A link's label names its chain: load the chains with the links, one query for the select.
    fields["chain_link"].queryset = ChainLink.objects.select_related("chain")
    # Checkboxes are easier to tap on a phone than a multiple select.
    fields["stage"].widget = forms.CheckboxSelectMultiple(choices=fields["stage"].choices)
    for name in YES_NO_FILTERS:
        fields[name].widget = forms.Select(choices=YES_NO)
    return filterset


# The filters the list shows; the others (event, signing year…) come from links on other
# pages and appear only when such a link set them.
LIST_FILTERS = [
    "search",
    "stage",
    "chain",
    "chain_link",
    "place",
    "unit",
    "leader",
    "is_key",
    "overdue",
    "no_progress",
    "flagged",
    "ordering",
]
BOARD_FILTERS = ["search", "chain", "place", "unit", "leader", "is_key", "flagged"]


def _filter_fields(request, filterset, names):
    form = filterset.form
    shown = names + [n for n in form.fields if n not in names and request.GET.get(n)]
    return [form[name] for name in shown]


def _is_filtered(request) -> bool:
    return any(value for key, value in request.GET.items() if key != "page")


def next_stage(stage) -> Stage | None:
    """The stage a card usually moves to next: the board's "变更色卡" proposes it."""
    if stage == Stage.DROPPED:
        return Stage.RED
    position = stages.rank(stage)
    if 0 <= position < len(stages.ORDER) - 1:
        return stages.ORDER[position + 1]
    return None


# --- List ------------------------------------------------------------------------------------


@reader_required
def project_list(request):
    """The project ledger (项目台账): filters, totals of all filtered rows, 50 rows a page."""
    filterset = _project_filter(request)
    projects = filterset.qs
    # One aggregate for the totals row: every filtered project, not just this page. Asked for a
    # period (a dashboard figure's drill-down), the totals are the period's, as the figure's.
    period = filterset.period_scope() if filterset.is_valid() else None
    if period is None:
        totals = projects.aggregate(count=Count("pk"), total=Sum("total_investment"))
    else:
        totals = projects.aggregate(
            count=Count("pk"),
            total=Sum("total_then"),
            funds=Sum("funds_period"),
            completed=Sum("completed_period"),
        )
    # Ranked on ids alone; only the page's rows get their flags and names.
    paginator = Paginator(projects.values_list("pk", flat=True), LIST_PAGE_SIZE)
    # The aggregate has counted already; spare the paginator its own COUNT query.
    paginator.count = totals["count"]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.rows_in_order(projects, page.object_list)
    detail_url = reverse_each("projects:detail")
    for project in page.object_list:
        project.url = detail_url(project.pk)
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "filter_fields": _filter_fields(request, filterset, LIST_FILTERS),
            "filtered": _is_filtered(request),
            "page": page,
            "totals": totals,
            "period": period,
            "figure_live": request.GET.get("figure") == "live",
            "can_create": roles.can_create_project(request.user),
        },
    )


# --- Color board -----------------------------------------------------------------------------


@reader_required
def board(request):
    """The color board (色卡看板): red, orange, blue and green columns, then operating/dropped."""
    filterset = _project_filter(request)
    projects = filterset.qs
    # Every column's count and investment in one query.
    sums = {}
    for stage in Stage:
        sums[f"{stage.value}_count"] = Count("pk", filter=Q(stage=stage))
        sums[f"{stage.value}_total"] = Sum("total_investment", filter=Q(stage=stage))
    totals = projects.aggregate(**sums)
    # Each column's largest cards: its ids ranked through the (stage, total investment) index,
    # a few rows read per column, then only those cards loaded with their flags and names.
    ids = []
    for stage in stages.ACTIVE:
        column = projects.filter(stage=stage).order_by("-total_investment", "id")
        ids += column.values_list("pk", flat=True)[:BOARD_CARDS_PER_COLUMN]
    cards = selectors.rows_in_order(projects, ids)
    by_stage = {stage: [] for stage in stages.ACTIVE}
    detail_url, transition_url = (
        reverse_each("projects:detail"),
        reverse_each("projects:transition"),
    )
    for project in cards:
        if project.stage not in by_stage:
            continue  # moved off the board between the ranking and the load
        project.url, project.transition_url = detail_url(project.pk), transition_url(project.pk)
        project.can_edit = roles.can_edit_project(request.user, project)
        project.next_stage = next_stage(project.stage)
        by_stage[project.stage].append(project)
    columns = [
        {
            "stage": stage,
            "description": stages.DESCRIPTIONS[stage],
            "count": totals[f"{stage.value}_count"],
            "total": totals[f"{stage.value}_total"] or Decimal(0),
            "cards": by_stage[stage],
            "more": max(totals[f"{stage.value}_count"] - len(by_stage[stage]), 0),
        }
        for stage in stages.ACTIVE
    ]
    ends = [
        {
            "stage": stage,
            "count": totals[f"{stage.value}_count"],
            "total": totals[f"{stage.value}_total"] or Decimal(0),
        }
        for stage in (Stage.OPERATING, Stage.DROPPED)
    ]
    return render(
        request,
        "projects/board.html",
        {
            "filter": filterset,
            "filter_fields": _filter_fields(request, filterset, BOARD_FILTERS),
            "filtered": _is_filtered(request),
            "columns": columns,
            "ends": ends,
            "can_create": roles.can_create_project(request.user),
        },
    )


# --- Project page ----------------------------------------------------------------------------


def four_one_parts(project: Project) -> list[dict]:
    """The "四个一" team: leader, unit, task force and (where the unit uses one) the butler."""
    team = list(project.team.all())
    parts = [
        {"label": _("包抓市级领导"), "value": project.leader, "ok": project.leader_id is not None},
        {"label": _("责任单位"), "value": project.unit, "ok": True},
        {"label": _("专班成员"), "value": "、".join(map(str, team)), "ok": bool(team)},
    ]
    if project.unit.uses_project_manager or project.manager_id:
        parts.append(
            {
                "label": _("项目管家"),
                "value": project.manager,
                "ok": project.manager_id is not None,
            }
        )
    return parts


# Fields whose change the history does not list: bookkeeping the services keep.
HISTORY_HIDDEN = {"id", "stage_changed_at", "created_at", "created_by"}
HISTORY_RELATED = [
    "investor",
    "chain",
    "chain_link__chain",  # a link's name includes its chain's
    "place",
    "unit",
    "leader",
    "manager",
    "event",
]


def _history_value(record, field, raw):
    if raw in (None, ""):
        return "—"
    if isinstance(field, models.ForeignKey):
        # The history keeps the id of a row that may since have been deleted.
        related = getattr(record, field.name, None)
        return str(related) if related is not None else _("（已删除）")
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.DecimalField):
        return money(raw)
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw)


def change_history(project: Project) -> list[dict]:
    """The last edits of a project, each with who, when and which fields went from what to what.

    Consecutive history rows are compared in memory: one query, however long the history.
    """
    records = list(
        project.history.select_related("history_user", *HISTORY_RELATED).order_by(
            "-history_date", "-history_id"
        )[: HISTORY_LIMIT + 1]
    )
    entries = []
    for index, record in enumerate(records[:HISTORY_LIMIT]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=HISTORY_HIDDEN)
            for change in delta.changes:
                field = Project._meta.get_field(change.field)
                changes.append(
                    {
                        "label": field.verbose_name,
                        "old": _history_value(older, field, change.old),
                        "new": _history_value(record, field, change.new),
                    }
                )
        entries.append(
            {
                "record": record,
                "created": record.history_type == "+",
                "changes": changes,
            }
        )
    return entries


def _with_answer_flag(instruction, user):
    instruction.can_answer = instruction.status != instruction.Status.DONE and (
        roles.can_answer_instruction(user, instruction)
    )
    return instruction


@reader_required
def project_detail(request, pk):
    try:
        project = selectors.project_detail(pk=pk)
    except Project.DoesNotExist as missing:
        raise Http404(_("项目不存在。")) from missing
    user = request.user
    can_edit = roles.can_edit_project(user, project)
    problems = list(project.problems.select_related("unit").order_by("status", "deadline"))
    for problem in problems:
        problem.can_resolve = problem.status == problem.Status.OPEN and (
            roles.can_resolve_problem(user, problem)
        )
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "four_one": four_one_parts(project),
            "backfill": backfill.missing_labels(project),
            "timeline": project.stage_changes.select_related("changed_by"),
            "progress": selectors_work.progress_rows(project_id=project.pk),
            "problems": problems,
            "instructions": [
                _with_answer_flag(i, user)
                for i in selectors_work.project_instructions(project_id=project.pk)
            ],
            "history": change_history(project),
            "can_edit": can_edit,
            "can_file": can_edit or roles.can_work_on_project(user, project),
            "can_instruct": roles.can_instruct(user),
            "next_stage": next_stage(project.stage),
        },
    )


# --- Create and edit -------------------------------------------------------------------------


FORM_SECTIONS = [
    (
        _lazy("基本信息"),
        [
            "code",
            "name",
            "investor",
            "co_investors",
            "total_investment",
            "contracted_investment",
            "stage",
            "lead_source",
            "event",
            "construction_content",
            "intent_note",
        ],
    ),
    (_lazy("产业链与建设地点"), ["chain", "chain_link", "place"]),
    (
        _lazy("时间节点"),
        ["first_contact_on", "signed_on", "started_on", "expected_completion_on", "operating_on"],
    ),
    (_lazy("“四个一”：责任单位、包抓领导、专班与项目管家"), ["unit", "leader", "team", "manager"]),
]


def form_sections(form: ProjectForm) -> list:
    return [
        (title, [form[name] for name in names if name in form.fields])
        for title, names in FORM_SECTIONS
    ]


def _form_page(request, form, **context):
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "sections": form_sections(form), **context},
    )


@login_required
def project_create(request):
    if not roles.can_create_project(request.user):
        raise PermissionDenied(_("只有招商专员和管理员可以新建项目。"))
    form = ProjectForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(user=request.user, **form.service_fields())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("项目“%(name)s”已创建。") % {"name": project.name})
            return redirect("projects:detail", pk=project.pk)
    return _form_page(request, form, creating=True)


def _display(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | models.QuerySet):
        return "、".join(map(str, value)) or "—"
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _comparable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | models.QuerySet):
        return sorted(item.pk for item in value)
    if isinstance(value, Decimal):
        return value.normalize()
    return value or None


def conflict_rows(form: ProjectForm, saved: Project) -> list[dict]:
    """The user's input beside the version someone else saved, field by field."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.cleaned_data:
            continue
        mine = form.cleaned_data[name]
        if isinstance(field, ModelMultipleChoiceField):  # the team, the co-investors
            theirs = list(getattr(saved, name).all())
        else:
            theirs = getattr(saved, name)
        if getattr(field, "choices", None) and not isinstance(field, ModelChoiceField):
            choices = dict(field.choices)
            mine_text, theirs_text = choices.get(mine, mine), choices.get(theirs, theirs)
        else:
            mine_text, theirs_text = mine, theirs
        rows.append(
            {
                "label": field.label,
                "mine": _display(mine_text),
                "theirs": _display(theirs_text),
                "differs": _comparable(mine) != _comparable(theirs),
            }
        )
    return rows


@login_required
def project_edit(request, pk):
    project = get_object_or_404(Project.objects.select_related("unit"), pk=pk)
    if not roles.can_edit_project(request.user, project):
        raise PermissionDenied(roles.why_read_only(request.user, project))
    form = ProjectForm(request.POST or None, instance=project, user=request.user, creating=False)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project_id=project.pk,
                version=form.cleaned_data["version"],
                user=request.user,
                **form.service_fields(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        except services.EditConflict as error:
            saved = error.current
            conflict = {"message": str(error), "rows": conflict_rows(form, saved), "saved": saved}
            # Keep what the user typed, now based on the saved version: saving again is a
            # deliberate choice made after seeing the other version, never a silent overwrite.
            data = request.POST.copy()
            data["version"] = saved.version
            form = ProjectForm(data, instance=saved, user=request.user, creating=False)
            form.is_valid()
        else:
            messages.success(request, _("项目信息已保存。"))
            return redirect("projects:detail", pk=project.pk)
    return _form_page(request, form, creating=False, project=project, conflict=conflict)


# --- Color-card move -------------------------------------------------------------------------


def target_requirements(project: Project, current: Stage, target: Stage, typed: dict) -> dict:
    """What a move to `target` needs (stages.requirements_of_move), which of it the project
    has or the user has just typed, and the fields the move form shows for it: those still
    missing and the target's own (so the move states its date and the blue amount)."""
    requirements = [
        {
            "field": r.field,
            "message": r.message,
            "met": bool(typed.get(r.field) or getattr(project, r.field, None)),
            "had": bool(getattr(project, r.field, None)),
        }
        for r in stages.requirements_of_move(target, current)
    ]
    own = {r.field for r in stages.REQUIREMENTS.get(target, [])}
    return {
        "stage": target,
        "kind": stages.kind_of(current, target),
        "requirements": requirements,
        "fields": [
            r.field
            for r in stages.requirements_of_move(target, current)
            if r.field in own or not getattr(project, r.field, None)
        ],
        "needs_reason": stages.needs_reason(current, target),
    }


@login_required
def project_transition(request, pk):
    project = get_object_or_404(Project.objects.select_related("unit"), pk=pk)
    if not roles.can_edit_project(request.user, project):
        raise PermissionDenied(roles.why_read_only(request.user, project))
    proposed = stages.parse_stage(request.GET.get("to", ""))
    form = TransitionForm(
        request.POST or None,
        project=project,
        initial={"to": proposed.value if proposed in stages.allowed_targets(project.stage) else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.project_transition(
                project_id=project.pk,
                to=data["to"],
                user=request.user,
                reason=data["reason"],
                values=form.move_values(),
                version=data["version"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        except services.EditConflict as error:
            project = error.current
            posted = request.POST.copy()
            posted["version"] = project.version
            form = TransitionForm(posted, project=project)
            form.is_valid()
            form.add_error(
                None,
                _("%(error)s 当前色卡为%(stage)s，请确认后再提交。")
                % {"error": error, "stage": project.get_stage_display()},
            )
        else:
            messages.success(
                request,
                _("色卡已由%(a)s变更为%(b)s。")
                % {"a": Stage(project.stage).label, "b": moved.get_stage_display()},
            )
            return redirect("projects:detail", pk=project.pk)
    current = Stage(project.stage)
    selected = form["to"].value() or ""
    typed = (
        {name: form[name].value() for name in TransitionForm.MOVE_FIELDS} if form.is_bound else {}
    )
    targets = [target_requirements(project, current, t, typed) for t in form.targets]
    # Each move field once, shown for the targets that ask it (the page's script switches).
    move_fields = [
        {
            "field": form[name],
            "targets": " ".join(t["stage"].value for t in targets if name in t["fields"]),
        }
        for name in TransitionForm.MOVE_FIELDS
    ]
    return render(
        request,
        "projects/transition_form.html",
        {
            "project": project,
            "form": form,
            "selected": selected,
            "targets": targets,
            "move_fields": move_fields,
        },
    )
