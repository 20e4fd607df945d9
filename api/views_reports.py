"""The API's figures and reports: the dashboard's figures and the monthly dispatch reports."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, permissions, serializers
from api.views import (
    FORBIDDEN,
    NOT_FOUND,
    VALIDATION_ERROR,
    XLSX,
    ApiMixin,
    BinaryNegotiation,
    attachment,
)
from dashboard import figures
from dashboard.forms import DashboardFilterForm
from dispatch import render
from dispatch import selectors as dispatch_selectors
from dispatch import services as dispatch_services
from dispatch.models import Report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REPORT_FILES = {
    "docx": (render.report_docx, DOCX),
    "xlsx": (render.report_xlsx, XLSX),
    "pdf": (render.report_pdf, "application/pdf"),
}


# --- Dashboard ----------------------------------------------------------------------------


def plain(value):
    """The figures as JSON values: Decimals as strings (amounts stay exact), dates ISO 8601,
    translated labels as text."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


class DashboardView(ApiMixin, APIView):
    """The leaders' dashboard as JSON: every figure of `dashboard.figures` (the module the page
    and the monthly report read too), for the page's own filters. Amounts in 万元 as decimal
    strings, rates in percent; a figure that cannot be computed (nothing to divide by) is null.
    """

    @extend_schema(
        summary=_("领导驾驶舱数据"),
        parameters=[
            OpenApiParameter("year", int, description=_("年度，默认今年")),
            OpenApiParameter(
                "month",
                int,
                enum=list(range(1, 13)),
                description=_("统计截至的月份；默认今年为上一个完整月份，往年为12月"),
            ),
            OpenApiParameter("chain", int, description=_("产业链")),
            OpenApiParameter("place", int, description=_("建设地点")),
            OpenApiParameter("unit", int, description=_("责任单位")),
            OpenApiParameter("mine", bool, description=_("市级领导：仅看本人包抓的项目")),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: VALIDATION_ERROR},
        tags=["dashboard"],
    )
    def get(self, request):
        form = DashboardFilterForm(request.query_params, today=timezone.localdate())
        if not form.is_valid():
            # The page quietly falls back to defaults; an integration is told what was wrong.
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        return Response(plain(figures.dashboard(form.scope(request.user))))


# --- Monthly dispatch reports -------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("月调度报告列表")),
    retrieve=extend_schema(summary=_("月调度报告（含生成状态）")),
)
class ReportViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.ReportAccess]
    serializer_class = serializers.ReportSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ReportFilter
    queryset = dispatch_selectors.report_list()

    @extend_schema(
        summary=_("生成月调度报告（异步）"),
        request=serializers.ReportRequestSerializer,
        responses={
            202: serializers.ReportSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
        },
    )
    def create(self, request):
        body = serializers.ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            report = dispatch_services.report_request(
                month=body.validated_data["month"], user=request.user
            )
        except ValueError as exc:  # a future month
            raise ValidationError({"month": [str(exc)]}) from None
        # The build is queued after commit, which has happened by now: read its task id.
        report = self.get_queryset().get(pk=report.pk)
        url = request.build_absolute_uri(reverse("api:report-detail", args=[report.pk]))
        return Response(
            self.get_serializer(report).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )

    @extend_schema(
        summary=_("下载月调度报告"),
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(REPORT_FILES),
                default="docx",
                description=_("docx（Word）、xlsx（Excel）或 pdf"),
            )
        ],
        responses={
            (200, DOCX): OpenApiTypes.BINARY,
            (200, XLSX): OpenApiTypes.BINARY,
            400: VALIDATION_ERROR,
            404: NOT_FOUND,
            409: OpenApiResponse(serializers.ErrorSerializer, description=_("报告尚未生成完成")),
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=BinaryNegotiation)
    def download(self, request, pk=None):
        fmt = request.query_params.get("format", "docx")
        if fmt not in REPORT_FILES:
            raise ValidationError({"format": [_("格式只能是 docx、xlsx 或 pdf。")]})
        report = get_object_or_404(Report.objects.all(), pk=pk)
        if report.status != Report.Status.DONE:
            return Response(
                {"detail": _("该报告尚未生成完成（%(s)s）。") % {"s": report.get_status_display()}},
                status=status.HTTP_409_CONFLICT,
            )
        build, content_type = REPORT_FILES[fmt]
        return attachment(build(report), content_type, render.download_name(report, fmt))
