"""The ledger's pages: upload, a job's preview and commit, template downloads, and the Excel
export of every list. Thin: the services and selectors do the work."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from chains.models import IndustryChain
from ledger import exports, imports, selectors, services
from ledger.models import ImportJob
from ledger.workbook import MAX_UNPACKED_MB
from org import roles
from org.models import Place, Unit
from org.roles import reader_required

PREVIEW_PAGE_SIZE = 100
EXPORT_NAMES = {
    "projects": gettext_lazy("项目台账"),
    "progress": gettext_lazy("月度进展"),
    "problems": gettext_lazy("难点堵点"),
    "events": gettext_lazy("招商活动"),
    "opportunities": gettext_lazy("投资机会清单"),
    "targets": gettext_lazy("目标企业清单"),
    "taskforces": gettext_lazy("产业链专班责任清单"),
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("导入类型"),
        choices=ImportJob.Kind.choices,
        initial=ImportJob.Kind.PROJECTS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx 或 .xls）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.xls,application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet,application/vnd.ms-excel"
            }
        ),
    )


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _require_importer(user) -> None:
    if not roles.can_import_ledger(user):
        raise PermissionDenied(_("只有招商专员和管理员可以导入台账。"))


def _visible_jobs(user):
    jobs = ImportJob.objects.select_related("created_by")
    return jobs if roles.is_admin(user) else jobs.filter(created_by=user)


@login_required
def upload(request):
    """The upload page: choose the ledger kind, upload, and see recent imports."""
    _require_importer(request.user)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        try:
            job = services.job_create(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("ledger:job", pk=job.pk)
    return render(
        request,
        "ledger/import.html",
        {
            "form": form,
            "jobs": _visible_jobs(request.user)[:20],
            "columns": [c for c in imports.PROJECT_COLUMNS if c.importable],
            "progress_columns": [c for c in imports.PROGRESS_COLUMNS if c.importable],
            "max_unpacked_mb": MAX_UNPACKED_MB,
        },
    )


def _job_for(user, pk) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    # Someone else's job is not found rather than forbidden: its file name is not for them.
    if not roles.can_see_import(user, job):
        raise Http404
    return job


@login_required
def job_detail(request, pk):
    """A job's status, and once checked its preview: every row, paged, filterable by status."""
    job = _job_for(request.user, pk)
    rows = job.preview.get("rows", [])
    shown = request.GET.get("status", "")
    if shown in imports.RowStatus.values:
        rows = [r for r in rows if r["status"] == shown]
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(imports.RowStatus.choices)
    page.object_list = [{**row, "status_label": labels.get(row["status"])} for row in page]
    return render(
        request,
        "ledger/job.html",
        {
            "job": job,
            "page": page,
            "shown": shown,
            "status_counts": [
                (value, label, job.summary.get(value, 0))
                for value, label in imports.RowStatus.choices
            ],
            "can_commit": job.can_commit and job.created_by_id == request.user.pk,
            "can_map": (
                job.created_by_id == request.user.pk
                and request.user.unit_id is not None
                and not job.is_running
                and job.status != ImportJob.Status.DONE
                and bool(job.preview.get("unknown_columns"))
            ),
            "mappable_columns": [c for c in imports.COLUMNS[job.kind] if c.importable],
        },
    )


@login_required
@require_GET
def job_status(request, pk):
    """Polled by htmx while the job runs; once it stops, the page reloads to show the result."""
    job = _job_for(request.user, pk)
    if not job.is_running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "ledger/_job_status.html", {"job": job})


@login_required
@require_POST
def job_commit(request, pk):
    job = _job_for(request.user, pk)
    try:
        services.job_request_commit(job_id=job.pk, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已开始导入，完成后本页会自动刷新。"))
    return redirect("ledger:job", pk=job.pk)


@login_required
@require_POST
def job_columns(request, pk):
    """The uploader says what the headers the import did not know mean; the file is checked
    again and the unit's next uploads are read with them."""
    job = _job_for(request.user, pk)
    unknown = job.preview.get("unknown_columns", [])
    choices = {
        header: request.POST.get(f"col{index}", "")
        for index, header in enumerate(unknown)
        if f"col{index}" in request.POST
    }
    try:
        services.column_mapping_save(job_id=job.pk, user=request.user, choices=choices)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存表头对应关系，正在重新检查文件。"))
    return redirect("ledger:job", pk=job.pk)


def _template_example(kind: str, user) -> dict:
    """An example row made of names this system knows, so the row shows real spellings."""
    if kind == ImportJob.Kind.PROGRESS:
        this_month = timezone.localdate().replace(day=1)
        return {
            "project_code": "JC-2025-0001",
            "project_name": imports.EXAMPLE_PROJECT_NAME,
            "month": this_month,
            "investment_completed": 1200,
            "funds_in_place": 800,
            "narrative": imports.EXAMPLE_PROGRESS_NARRATIVE,
            "next_steps": "完成设备调试，力争下月试生产。",
        }
    unit = user.unit or Unit.objects.first()
    place = Place.objects.first()
    chain = IndustryChain.objects.first()
    return {
        "code": "",
        "name": imports.EXAMPLE_PROJECT_NAME,
        "investor": "甘肃成丰建设有限公司",
        "total_investment": 20000,
        "contracted_investment": 18000,
        "stage": "绿色",
        "chain": chain.name if chain else "资源综合利用",
        "chain_link": "",
        "place": place.name if place else "金昌经济技术开发区",
        "unit": str(unit) if unit else "招商局",
        "leader": "",
        "construction_content": "建设装配式钢结构建筑产品生产线及配套设施。",
        "first_contact_on": timezone.localdate().replace(month=1, day=1),
        "signed_on": timezone.localdate().replace(month=2, day=1),
        "started_on": timezone.localdate().replace(month=3, day=1),
        "expected_completion_on": timezone.localdate().replace(month=12, day=31),
        "operating_on": None,
        "intent_note": "企业已签订投资协议。",
    }


@reader_required
@require_GET
def template(request, kind):
    if kind not in ImportJob.Kind.values:
        raise Http404
    content = exports.template_workbook(kind, example=_template_example(kind, request.user))
    name = _("%(kind)s导入模板.xlsx") % {"kind": ImportJob.Kind(kind).label}
    return _xlsx_response(content, name)


@reader_required
@require_GET
def export(request, kind):
    """Any list as .xlsx, with the list page's filters (the same GET parameters)."""
    if kind not in selectors.SOURCES:
        raise Http404
    try:
        source = selectors.SOURCES[kind](request.GET, request.user)
    except selectors.InvalidFilters as exc:
        lines = [f"{field}: {'；'.join(msgs)}" for field, msgs in exc.errors.items()]
        return HttpResponse(
            _("筛选条件有误，无法导出：") + "\n" + "\n".join(lines),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content = exports.export(kind, source.rows, applied_filters=source.applied_filters)
    name = f"{EXPORT_NAMES[kind]}_{timezone.localdate():%Y-%m-%d}.xlsx"
    return _xlsx_response(content, name)
