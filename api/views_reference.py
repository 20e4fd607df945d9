"""The API's reference data: investors, events, chains, the chain lists, annual targets."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from api import filters, permissions, serializers
from api.views import FORBIDDEN, NOT_FOUND, VALIDATION_ERROR, ApiMixin
from chains import selectors as chain_selectors
from chains.filters import OpportunityFilter, TargetFilter
from chains.models import ChainLink, IndustryChain
from dashboard.models import AnnualTarget
from projects import selectors_work, services
from projects.models import Enterprise

# --- Reference data -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("客商企业列表")),
    retrieve=extend_schema(summary=_("客商企业详情")),
)
class EnterpriseViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.EnterpriseAccess]
    serializer_class = serializers.EnterpriseSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = filters.EnterpriseFilter
    ordering_fields = ["name", "project_count"]
    queryset = Enterprise.objects.none()  # for the schema; see get_queryset

    def get_queryset(self):
        qs = selectors_work.enterprise_list()
        if permissions.sees_contacts(self.request.user):
            qs = qs.prefetch_related("contacts")
        return qs

    def _present(self, pk):
        enterprise = self.get_queryset().get(pk=pk)
        return self.get_serializer(enterprise).data

    @staticmethod
    def _fields(body):
        fields = dict(body.validated_data)
        fields.pop("version", None)  # the lock is passed on its own (edits only)
        contacts = fields.pop("contacts", None)
        if contacts is not None:
            contacts = [dict(row) for row in contacts]
        return fields, contacts

    @extend_schema(
        summary=_("登记客商企业"),
        request=serializers.EnterpriseSerializer,
        responses={201: serializers.EnterpriseSerializer, 400: VALIDATION_ERROR, 403: FORBIDDEN},
    )
    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields, contacts = self._fields(body)
        enterprise = services.enterprise_create(user=request.user, contacts=contacts, **fields)
        return Response(self._present(enterprise.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改客商企业"),
        request=serializers.EnterpriseSerializer,
        responses={
            200: serializers.EnterpriseSerializer,
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def partial_update(self, request, pk=None):
        enterprise = self.get_object()
        body = self.get_serializer(enterprise, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields, contacts = self._fields(body)
        services.enterprise_update(
            user=request.user,
            enterprise_id=enterprise.pk,
            version=body.validated_data.get("version"),
            contacts=contacts,
            **fields,
        )
        return Response(self._present(enterprise.pk))


@extend_schema_view(
    list=extend_schema(summary=_("招商活动列表")),
    retrieve=extend_schema(summary=_("招商活动详情")),
)
class EventViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.EventSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = filters.EventFilter
    ordering_fields = ["held_on", "name", "signed_amount"]
    queryset = selectors_work.event_list()


@extend_schema_view(
    list=extend_schema(summary=_("产业链及其环节")),
    retrieve=extend_schema(summary=_("一条产业链及其环节")),
)
class ChainViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ChainSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["order", "name"]
    queryset = (
        IndustryChain.objects.select_related("chain_leader")
        .prefetch_related(
            "chain_owners",
            Prefetch(
                "links",
                queryset=ChainLink.objects.prefetch_related(
                    Prefetch("enterprises", queryset=Enterprise.objects.only("pk"))
                ).order_by("order", "name", "pk"),
            ),
        )
        .order_by("order", "name", "pk")
    )


@extend_schema_view(
    list=extend_schema(summary=_("目标企业清单")),
    retrieve=extend_schema(summary=_("目标企业详情")),
)
class TargetViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.TargetSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TargetFilter  # the list page's filters
    queryset = chain_selectors.target_list()


@extend_schema_view(
    list=extend_schema(summary=_("投资机会清单")),
    retrieve=extend_schema(summary=_("投资机会详情")),
)
class OpportunityViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.OpportunitySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OpportunityFilter  # the list page's filters
    queryset = chain_selectors.opportunity_list()


@extend_schema_view(
    list=extend_schema(summary=_("年度目标（三亮）")),
    retrieve=extend_schema(summary=_("年度目标详情")),
)
class AnnualTargetViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.AnnualTargetSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.AnnualTargetFilter
    queryset = AnnualTarget.objects.select_related("unit").order_by("-year", "unit__order", "pk")
