"""Pages of monthly dispatch: the reports (every role reads them; admins generate), a report's
page with its progress while it is being built, and its downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch import render as renderers
from dispatch import selectors, services
from dispatch.forms import ReportRequestForm
from dispatch.models import DispatchSettings, Report
from org import roles
from org.roles import reader_required

REPORTS_PER_PAGE = 30
DOWNLOADS = {
    "docx": (
        renderers.report_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        renderers.report_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (renderers.report_pdf, "application/pdf"),
}


def _reports_page(request, form, status=200):
    page = Paginator(selectors.report_list(), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    can_generate = roles.can_manage_reports(request.user)
    context = {
        "page": page,
        "form": form if can_generate else None,
        "overview": selectors.warning_overview(),
        "thresholds": DispatchSettings.load(),
        "notices": selectors.notice_summary() if can_generate else None,
    }
    return render(request, "dispatch/reports.html", context, status=status)


@reader_required
def reports(request):
    """The versions by month, the warning overview and, for admins, "generate now"."""
    return _reports_page(request, ReportRequestForm())


@login_required
@require_POST
def generate(request):
    if not roles.can_manage_reports(request.user):
        raise PermissionDenied(_("只有管理员可以生成调度报告。"))
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return _reports_page(request, form, status=400)
    report = services.report_request(month=form.cleaned_data["month"], user=request.user)
    messages.success(
        request,
        _("已提交%(m)s调度报告（第%(v)d版）的生成任务。")
        % {"m": f"{report.month.year}年{report.month.month}月", "v": report.version},
    )
    return redirect("dispatch:report_detail", pk=report.pk)


@reader_required
def report_detail(request, pk: int):
    """A done version shows its snapshot; one in flight shows its progress (polled by htmx)."""
    report = get_object_or_404(Report.objects.select_related("requested_by"), pk=pk)
    context = {
        "report": report,
        "versions": selectors.report_versions(month=report.month),
        "sections": renderers.layout(report.snapshot) if report.is_done else None,
        "can_generate": roles.can_manage_reports(request.user),
    }
    return render(request, "dispatch/report_detail.html", context)


@reader_required
def report_status(request, pk: int):
    """The progress box; once the version is done, htmx reloads the page to show it."""
    report = get_object_or_404(Report.objects.defer("snapshot"), pk=pk)
    response = render(request, "dispatch/_report_status.html", {"report": report})
    if report.is_done:
        response["HX-Refresh"] = "true"
    return response


@reader_required
def report_download(request, pk: int, fmt: str):
    if fmt not in DOWNLOADS:
        raise Http404
    report = get_object_or_404(Report, pk=pk, status=Report.Status.DONE)
    build, content_type = DOWNLOADS[fmt]
    response = HttpResponse(build(report), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=renderers.download_name(report, fmt)
    )
    return response
