"""Pages of the daily work: file the monthly progress, raise and clear problems, give
instructions, "my work" and "my projects", events and enterprises.

Views read through `projects.selectors_work` and write through `projects.services`, which
check permissions themselves; the checks here only decide what to show and refuse early.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from org import roles
from org.roles import reader_required
from projects import backfill, selectors_work, services
from projects.filters import ProblemFilter
from projects.forms_work import (
    ContactFormSet,
    EnterpriseForm,
    EnterpriseSearchForm,
    InstructionForm,
    InstructionReplyForm,
    ProblemForm,
    ProgressForm,
    ResolveForm,
    show_errors,
)
from projects.models import Enterprise, Event, Instruction, MonthlyProgress, Problem, Project
from projects.selectors import month_start
from projects.widgets import SearchSelect

PAGE_SIZE = 50


def _project_page(pk: int) -> str:
    return reverse("projects:detail", args=[pk])


def _next_or(request, fallback: str) -> str:
    """Back to the page the form was opened from (my work, the problem list), if it is ours."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Monthly progress -------------------------------------------------------------------------


@reader_required
def progress_add(request, pk):
    project = get_object_or_404(Project.objects.select_related("unit"), pk=pk)
    if not roles.can_work_on_project(request.user, project):
        raise PermissionDenied(roles.why_read_only(request.user, project))
    form = ProgressForm(request.POST or None, initial=ProgressForm.initial_for_new())
    if request.method == "POST" and form.is_valid():
        try:
            progress = services.progress_create(
                user=request.user, project_id=project.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request,
                _("已保存%(project)s %(y)d年%(m)d月的进展。")
                % {"project": project.name, "y": progress.month.year, "m": progress.month.month},
            )
            return redirect(_project_page(project.pk))
    last = MonthlyProgress.objects.filter(project=project).order_by("-month").first()
    return render(
        request,
        "projects/progress_form.html",
        {"form": form, "project": project, "last": last, "editing": None},
    )


@reader_required
def progress_edit(request, pk):
    progress = get_object_or_404(
        MonthlyProgress.objects.select_related("project", "project__unit"), pk=pk
    )
    project = progress.project
    if not roles.can_work_on_project(request.user, project):
        raise PermissionDenied(roles.why_read_only(request.user, project))
    initial = {
        "month": progress.month,
        "investment_completed": progress.investment_completed,
        "funds_in_place": progress.funds_in_place,
        "narrative": progress.narrative,
        "next_steps": progress.next_steps,
    }
    form = ProgressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update(
                user=request.user, progress_id=progress.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("进展已修改。"))
            return redirect(_project_page(project.pk))
    return render(
        request,
        "projects/progress_form.html",
        {"form": form, "project": project, "last": None, "editing": progress},
    )


# --- Problems ---------------------------------------------------------------------------------


@reader_required
def problem_add(request, pk):
    project = get_object_or_404(Project.objects.select_related("unit"), pk=pk)
    if not roles.can_work_on_project(request.user, project):
        raise PermissionDenied(roles.why_read_only(request.user, project))
    form = ProblemForm(request.POST or None, initial={"unit": project.unit_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_create(user=request.user, project_id=project.pk, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("难点堵点已登记。"))
            return redirect(_next_or(request, _project_page(project.pk)))
    return render(request, "projects/problem_form.html", {"form": form, "project": project})


@reader_required
def problem_resolve(request, pk):
    problem = get_object_or_404(
        Problem.objects.select_related("project", "project__unit", "unit", "raised_by"), pk=pk
    )
    if not roles.can_resolve_problem(request.user, problem):
        raise PermissionDenied(_("只有项目或问题的责任单位可以办结该问题。"))
    form = None
    if problem.status == Problem.Status.OPEN:
        form = ResolveForm(request.POST or None, initial={"resolved_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                services.problem_resolve(
                    user=request.user, problem_id=problem.pk, **form.cleaned_data
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("问题已办结。"))
                return redirect(_next_or(request, _project_page(problem.project_id)))
    return render(request, "projects/problem_resolve.html", {"form": form, "problem": problem})


@reader_required
def problem_list(request):
    today = timezone.localdate()
    filterset = ProblemFilter(request.GET, queryset=selectors_work.problem_list(today=today))
    qs = filterset.qs
    page_obj = _page(request, qs)
    for problem in page_obj:
        problem.can_resolve = problem.status == Problem.Status.OPEN and (
            roles.can_resolve_problem(request.user, problem)
        )
    return render(
        request,
        "projects/problem_list.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "can_instruct": roles.can_instruct(request.user),
            "totals": selectors_work.problem_totals(qs, today=today),
            "today": today,
        },
    )


# --- Instructions -----------------------------------------------------------------------------


@reader_required
def instruction_add(request, pk):
    if not roles.can_instruct(request.user):
        raise PermissionDenied(_("只有市级领导可以作出批示。"))
    project = get_object_or_404(Project.objects.select_related("unit", "leader"), pk=pk)
    form = InstructionForm(
        request.POST or None, project=project, initial={"problem": request.GET.get("problem")}
    )
    if request.method == "POST" and form.is_valid():
        problem = form.cleaned_data["problem"]
        try:
            services.instruction_create(
                user=request.user,
                project_id=project.pk,
                text=form.cleaned_data["text"],
                problem_id=problem.pk if problem else None,
                unit=form.cleaned_data["unit"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("批示已保存。"))
            return redirect(_project_page(project.pk))
    return render(request, "projects/instruction_form.html", {"form": form, "project": project})


@reader_required
def instruction_reply(request, pk):
    """The responsible unit answers a 批示 (办理情况) and may mark it done."""
    instruction = get_object_or_404(
        Instruction.objects.select_related("project", "project__unit", "unit", "leader"), pk=pk
    )
    if not roles.can_answer_instruction(request.user, instruction):
        unit = instruction.unit or instruction.project.unit
        raise PermissionDenied(_("该批示由%(unit)s办理，您只能查看。") % {"unit": unit})
    form = None
    if instruction.status != Instruction.Status.DONE:
        form = InstructionReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.instruction_reply(
                    user=request.user,
                    instruction_id=instruction.pk,
                    text=form.cleaned_data["text"],
                    done=form.cleaned_data["done"],
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("办理情况已回复。"))
                return redirect(_next_or(request, _project_page(instruction.project_id)))
    return render(
        request,
        "projects/instruction_reply.html",
        {
            "instruction": instruction,
            "replies": instruction.replies.select_related("replied_by"),
            "form": form,
        },
    )


# --- My work, my projects ---------------------------------------------------------------------


@reader_required
def my_work(request):
    """An officer's list of what to do now; an admin's is the whole city's."""
    user = request.user
    if roles.is_leader(user) and not roles.is_admin(user):
        return redirect("projects:my_projects")
    today = timezone.localdate()
    month = month_start(today)
    city_wide = roles.is_admin(user)
    context = {"month": month, "today": today, "city_wide": city_wide, "unit": user.unit}
    if not city_wide and user.unit_id is None:
        # An officer not yet attached to a unit has no projects to report on.
        context["no_unit"] = True
        return render(request, "projects/my_work.html", context)
    unit = None if city_wide else user.unit
    problems = selectors_work.open_problems(unit=unit, today=today)
    if city_wide:
        problems = problems.filter(overdue=True)
    instructions = selectors_work.instructions_to_answer(unit=unit, today=today)
    if city_wide:
        instructions = instructions.filter(overdue=True)
    context.update(
        instructions=list(instructions),
        missing=list(
            selectors_work.projects_missing_progress(
                month=month, unit=unit, user=None if city_wide else user, today=today
            )
        ),
        problems=list(problems),
        flagged=list(selectors_work.flagged_projects(unit=unit, today=today)),
        # Stages an Excel ledger stated without what they stand on (projects.backfill).
        to_backfill=list(backfill.projects_to_backfill(unit=unit)),
    )
    return render(request, "projects/my_work.html", context)


@reader_required
def my_projects(request):
    """The projects a person answers for under "四个一" (a leader's 包抓 portfolio)."""
    user = request.user
    today = timezone.localdate()
    qs = selectors_work.my_projects(user=user, today=today)
    is_leader = roles.is_leader(user)
    return render(
        request,
        "projects/my_projects.html",
        {
            "projects": list(qs),
            "totals": selectors_work.portfolio_totals(qs, today=today),
            "instructions": (
                list(selectors_work.instructions_given(user=user, today=today)) if is_leader else []
            ),
            "instruction_counts": (
                selectors_work.instruction_counts(user=user, today=today) if is_leader else None
            ),
            "is_leader": is_leader,
            "today": today,
        },
    )


# --- Events -----------------------------------------------------------------------------------


@reader_required
def event_list(request):
    return render(
        request,
        "projects/event_list.html",
        {"page_obj": _page(request, selectors_work.event_list())},
    )


@reader_required
def event_detail(request, pk):
    event = get_object_or_404(Event, pk=pk)
    return render(
        request,
        "projects/event_detail.html",
        {
            "event": event,
            "sums": selectors_work.event_sums(event),
            "projects": list(selectors_work.event_projects(event=event)),
        },
    )


# --- Enterprises ------------------------------------------------------------------------------


@reader_required
def enterprise_options(request):
    """The <option>s of an investor search box (projects.widgets): the chosen ones, selected,
    then the matches of what was typed."""
    field = request.GET.get("field", "")
    chosen = request.GET.getlist(field) if field else []
    options = selectors_work.enterprise_options(
        query=request.GET.get("q") or request.GET.get(f"{field}__search", ""),
        chosen_ids=chosen,
        limit=SearchSelect.LIMIT,
    )
    return render(
        request,
        "projects/widgets/options.html",
        {"options": options, "chosen": {str(c) for c in chosen}, "limit": SearchSelect.LIMIT},
    )


@reader_required
def enterprise_list(request):
    search = EnterpriseSearchForm(request.GET or None)
    params = search.cleaned_data if search.is_valid() else {}
    qs = selectors_work.enterprise_list(
        search=params.get("q", ""),
        chain_owner=True if params.get("chain_owner") else None,
        head=True if params.get("head") else None,
    )
    return render(
        request,
        "projects/enterprise_list.html",
        {
            "search": search,
            "page_obj": _page(request, qs),
            "can_edit": roles.can_maintain_shared_lists(request.user),
        },
    )


@reader_required
def enterprise_detail(request, pk):
    enterprise = get_object_or_404(Enterprise, pk=pk)
    # Contacts are personal data: loaded only for the staff who work with the investor.
    staff = roles.can_maintain_shared_lists(request.user)
    return render(
        request,
        "projects/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "projects": list(selectors_work.enterprise_projects(enterprise=enterprise)),
            "contacts": list(enterprise.contacts.order_by("id")) if staff else None,
            "can_edit": staff,
        },
    )


def _enterprise_form(request, enterprise=None):
    if not roles.can_maintain_shared_lists(request.user):
        raise PermissionDenied(_("只有招商专员和管理员可以维护客商信息。"))
    initial, contacts = {}, []
    if enterprise is not None:
        initial = {f: getattr(enterprise, f) for f in services.ENTERPRISE_FIELDS}
        initial["version"] = enterprise.version
        contacts = list(enterprise.contacts.order_by("id").values("name", "title", "phone"))
    form = EnterpriseForm(request.POST or None, initial=initial)
    formset = ContactFormSet(request.POST or None, initial=contacts, prefix="contacts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [row for row in formset.cleaned_data if row]
        fields = dict(form.cleaned_data)
        version = fields.pop("version", None)
        try:
            if enterprise is None:
                saved = services.enterprise_create(user=request.user, contacts=rows, **fields)
            else:
                saved = services.enterprise_update(
                    user=request.user,
                    enterprise_id=enterprise.pk,
                    version=version,
                    contacts=rows,
                    **fields,
                )
        except ValidationError as exc:
            show_errors(form, exc)
        except services.EditConflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("客商信息已保存。"))
            return redirect("projects:enterprise_detail", pk=saved.pk)
    return render(
        request,
        "projects/enterprise_form.html",
        {"form": form, "formset": formset, "enterprise": enterprise},
    )


@reader_required
def enterprise_add(request):
    return _enterprise_form(request)


@reader_required
def enterprise_edit(request, pk):
    return _enterprise_form(request, get_object_or_404(Enterprise, pk=pk))
