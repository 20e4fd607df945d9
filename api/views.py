"""The API's views: thin. They read through the selectors the pages use, write through the
services the pages use, and let `api.exceptions` turn the services' errors into answers.
"""

from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from api import filters, permissions, serializers
from api.auth import TokenAuthentication, token_issue
from api.pagination import Pagination
from ledger import exports
from ledger import selectors as ledger_selectors
from ledger.views import EXPORT_NAMES
from projects import selectors, selectors_work, services
from projects.filters import ProblemFilter, ProjectFilter
from projects.models import Instruction, MonthlyProgress, Problem, Project

VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description=_("字段错误：字段名 → 错误信息列表")
)
FORBIDDEN = OpenApiResponse(serializers.ErrorSerializer, description=_("无权限"))
NOT_FOUND = OpenApiResponse(serializers.ErrorSerializer, description=_("不存在"))
CONFLICT = OpenApiResponse(
    serializers.ConflictSerializer, description=_("版本冲突：项目已被他人修改，未做任何更改")
)


# What every endpoint shares: the token first (so an anonymous call gets 401 and the header
# says how to authenticate), then the browser session; the paginator. The one exception
# handler is set for all of DRF in settings (REST_FRAMEWORK["EXCEPTION_HANDLER"]).
# (No docstring: the schema would show it as every endpoint's description.)
class ApiMixin:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.ReadOnly]
    pagination_class = Pagination


class BinaryNegotiation(BaseContentNegotiation):
    """A download answers with its own file type whatever the Accept header says, and leaves
    `?format=` to the view (it names the file type, not a DRF renderer)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


# --- Auth ---------------------------------------------------------------------------------


class TokenView(ApiMixin, APIView):
    """Exchange a username and password for a new token to send as `Authorization: Token <key>`.

    The token is shown once (only its digest is stored) and lasts until `expires`; changing
    the password or deactivating the account ends it earlier.

    Failed attempts count towards django-axes' lockout like the login page's, and the endpoint
    is rate-limited per address.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(
        request=serializers.TokenRequestSerializer,
        responses={
            200: serializers.TokenSerializer,
            400: VALIDATION_ERROR,
            429: OpenApiResponse(serializers.ErrorSerializer, description=_("尝试过多，请稍后")),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        body = serializers.TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # The DRF request (not the Django one) is what axes marks when it locks the pair out,
        # so the answer below stays JSON instead of the login page's lockout template.
        user = authenticate(
            request=request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            raise Throttled(detail=_("登录失败次数过多，账号已被暂时锁定，请稍后再试。"))
        if user is None:
            return Response(
                {"non_field_errors": [_("用户名或密码不正确。")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if user.must_change_password:
            raise PermissionDenied(_("请先登录网页修改管理员设置的初始密码，再获取令牌。"))
        # A token is a login: last_login is updated and axes clears the failures.
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        issued, token = token_issue(user)
        return Response({"token": token, "expires": issued.expiry})


class TokenRevokeView(ApiMixin, APIView):
    """End the token this request is sent with (signing out an integration); 204."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Projects -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("项目列表（筛选、排序、分页）")),
    retrieve=extend_schema(summary=_("项目详情"), responses={200: serializers.ProjectSerializer}),
)
class ProjectViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.ProjectAccess]
    serializer_class = serializers.ProjectSerializer
    filter_backends = [DjangoFilterBackend]
    # The list page's own FilterSet, ordering included.
    filterset_class = ProjectFilter
    # The model, for the schema; requests read `get_queryset` (its flags are as of today).
    queryset = Project.objects.none()

    def get_queryset(self):
        # The team's and co-investors' ids come from `selectors.with_member_ids`.
        return selectors.project_list(user=self.request.user)

    def filter_queryset(self, queryset):
        # Filters narrow lists; a project's own URL answers whatever the query string says.
        if self.action == "list":
            return super().filter_queryset(queryset)
        return queryset

    def list(self, request, *args, **kwargs):
        # The page is ranked on ids alone; only its rows get their flags and names.
        queryset = self.filter_queryset(selectors.projects_to_list(user=request.user))
        ids = self.paginate_queryset(queryset.values_list("pk", flat=True))
        rows = selectors.with_member_ids(selectors.rows_in_order(queryset, ids))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        [project] = selectors.with_member_ids([self.get_object()])
        return Response(self.get_serializer(project).data)

    def _present(self, project_id):
        [project] = selectors.with_member_ids([self.get_queryset().get(pk=project_id)])
        return serializers.ProjectSerializer(project, context=self.get_serializer_context()).data

    @extend_schema(
        summary=_("新建项目"),
        request=serializers.ProjectSerializer,
        responses={201: serializers.ProjectSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN},
    )
    def create(self, request):
        body = serializers.ProjectSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        team = fields.pop("team", [])
        m2m = {"co_investors": fields.pop("co_investors", [])}
        project = services.project_create(user=request.user, team=team, m2m=m2m, **fields)
        return Response(self._present(project.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改项目（须带读取时的 version）"),
        request=serializers.ProjectUpdateSerializer,
        responses={
            200: serializers.ProjectSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def partial_update(self, request, pk=None):
        project = self.get_object()
        body = serializers.ProjectUpdateSerializer(
            project, data=request.data, partial=True, context={"request": request}
        )
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        version = fields.pop("version")
        team = fields.pop("team", None)
        # A many-to-many field left out of a partial update keeps its members.
        m2m = {"co_investors": fields.pop("co_investors")} if "co_investors" in fields else None
        services.project_update(
            project_id=project.pk, version=version, user=request.user, team=team, m2m=m2m, **fields
        )
        return Response(self._present(project.pk))

    @extend_schema(
        summary=_("变更色卡阶段"),
        request=serializers.TransitionSerializer,
        responses={
            200: serializers.ProjectSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        project = self.get_object()
        body = serializers.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        move = body.validated_data
        services.project_transition(
            project_id=project.pk,
            to=move["to"],
            user=request.user,
            reason=move["reason"],
            on=move["date"],
            intent_note=move["intent_note"],
            values={"contracted_investment": move["contracted_investment"]},
            version=move["version"],
        )
        return Response(self._present(project.pk))

    @extend_schema(
        summary=_("导出项目台账（Excel，筛选条件与列表相同）"),
        filters=True,
        responses={(200, XLSX): OpenApiTypes.BINARY, 400: VALIDATION_ERROR},
    )
    @action(
        detail=False,
        methods=["get"],
        content_negotiation_class=BinaryNegotiation,
        pagination_class=None,
    )
    def export(self, request):
        # The ledger's own export source: the list's selector and FilterSet, without paging,
        # so a filter the list refuses is refused here with the same 400.
        try:
            source = ledger_selectors.projects_source(request.query_params, request.user)
        except ledger_selectors.InvalidFilters as exc:
            raise ValidationError(exc.errors) from None
        content = exports.export("projects", source.rows, applied_filters=source.applied_filters)
        name = f"{EXPORT_NAMES['projects']}_{timezone.localdate():%Y-%m-%d}.xlsx"
        return attachment(content, XLSX, name)

    @extend_schema(
        summary=_("色卡变更记录"),
        responses={200: serializers.StageChangeSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        project = self.get_object()
        changes = project.stage_changes.select_related("changed_by").order_by("changed_at", "pk")
        return Response(serializers.StageChangeSerializer(changes, many=True).data)


# --- Monthly progress, problems, instructions --------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("月度进展列表")),
    retrieve=extend_schema(summary=_("月度进展详情")),
)
class ProgressViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.ProjectWorkAccess]
    serializer_class = serializers.ProgressSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = filters.ProgressFilter
    ordering_fields = ["month", "funds_in_place", "investment_completed", "filed_at"]
    queryset = MonthlyProgress.objects.select_related("project", "filed_by").order_by(
        "-month", "project_id", "pk"
    )

    @extend_schema(
        summary=_("填报月度进展（同一项目同一月份只能一条）"),
        request=serializers.ProgressSerializer,
        responses={201: serializers.ProgressSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN},
    )
    def create(self, request):
        body = serializers.ProgressSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        project = fields.pop("project")
        progress = services.progress_create(user=request.user, project_id=project.pk, **fields)
        return Response(self._present(progress.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改月度进展"),
        request=serializers.ProgressUpdateSerializer,
        responses={
            200: serializers.ProgressSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        progress = self.get_object()
        body = serializers.ProgressUpdateSerializer(
            progress, data=request.data, partial=True, context={"request": request}
        )
        body.is_valid(raise_exception=True)
        services.progress_update(user=request.user, progress_id=progress.pk, **body.validated_data)
        return Response(self._present(progress.pk))

    def _present(self, pk):
        return serializers.ProgressSerializer(self.get_queryset().get(pk=pk)).data


@extend_schema_view(
    list=extend_schema(summary=_("难点堵点列表")),
    retrieve=extend_schema(summary=_("难点堵点详情")),
)
class ProblemViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.ProblemAccess]
    serializer_class = serializers.ProblemSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ProblemFilter  # the list page's filters
    ordering_fields = ["deadline", "raised_at", "status"]
    queryset = Problem.objects.none()  # for the schema; `overdue` is as of the request

    def get_queryset(self):
        return selectors_work.problem_list().select_related("raised_by")

    def _present(self, pk):
        return serializers.ProblemSerializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(
        summary=_("提出难点堵点"),
        request=serializers.ProblemSerializer,
        responses={201: serializers.ProblemSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN},
    )
    def create(self, request):
        body = serializers.ProblemSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        project = fields.pop("project")
        problem = services.problem_create(user=request.user, project_id=project.pk, **fields)
        return Response(self._present(problem.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("标记难点堵点已解决"),
        request=serializers.ProblemResolveSerializer,
        responses={
            200: serializers.ProblemSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        problem = self.get_object()
        body = serializers.ProblemResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.problem_resolve(user=request.user, problem_id=problem.pk, **body.validated_data)
        return Response(self._present(problem.pk))


@extend_schema_view(
    list=extend_schema(summary=_("领导批示列表")),
    retrieve=extend_schema(summary=_("领导批示详情")),
)
class InstructionViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.InstructionAccess]
    serializer_class = serializers.InstructionSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = filters.InstructionFilter
    ordering_fields = ["given_at"]
    queryset = Instruction.objects.select_related("project", "leader").order_by("-given_at", "-pk")

    @extend_schema(
        summary=_("领导批示"),
        request=serializers.InstructionSerializer,
        responses={201: serializers.InstructionSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN},
    )
    def create(self, request):
        body = serializers.InstructionSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        problem = data.get("problem")
        instruction = services.instruction_create(
            user=request.user,
            project_id=data["project"].pk,
            text=data["text"],
            problem_id=problem.pk if problem else None,
            unit=data.get("unit"),
            deadline=data.get("deadline"),
        )
        created = self.get_queryset().get(pk=instruction.pk)
        return Response(
            serializers.InstructionSerializer(created).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("回复批示办理情况（可同时办结）"),
        request=serializers.InstructionReplySerializer,
        responses={
            200: serializers.InstructionSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        instruction = self.get_object()
        body = serializers.InstructionReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.instruction_reply(
            user=request.user, instruction_id=instruction.pk, **body.validated_data
        )
        return Response(serializers.InstructionSerializer(self.get_queryset().get(pk=pk)).data)
