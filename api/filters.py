"""Filters of the API lists that have no page of their own to share one with.

The project and problem lists use `projects.filters` and the chain lists `chains.filters`,
the same FilterSets as their pages.
"""

import datetime
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from api.fields import MONTH_MESSAGE, MONTH_PATTERN
from chains.models import IndustryChain
from dashboard.models import AnnualTarget
from dispatch.models import Report
from org.models import Unit, User
from org.roles import LEADER
from projects.filters import YearFilter
from projects.models import (
    Enterprise,
    Event,
    Instruction,
    MonthlyProgress,
    Problem,
    Project,
)


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": MONTH_MESSAGE}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if not re.fullmatch(MONTH_PATTERN, value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = value.split("-")
        return datetime.date(int(year), int(month), 1)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2025-05"})
class MonthFilter(django_filters.Filter):
    field_class = MonthFormField


class ProgressFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(label=_("项目"), queryset=Project.objects.all())
    month = MonthFilter(label=_("月份"))
    year = YearFilter(label=_("年度"), field_name="month", lookup_expr="year")
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"), queryset=Unit.objects.all(), field_name="project__unit"
    )
    chain = django_filters.ModelChoiceFilter(
        label=_("产业链"), queryset=IndustryChain.objects.all(), field_name="project__chain"
    )

    class Meta:
        model = MonthlyProgress
        fields = []


class InstructionFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(label=_("项目"), queryset=Project.objects.all())
    problem = django_filters.ModelChoiceFilter(label=_("难点堵点"), queryset=Problem.objects.all())
    leader = django_filters.ModelChoiceFilter(
        label=_("批示领导"), queryset=User.objects.filter(groups__name=LEADER)
    )

    class Meta:
        model = Instruction
        fields = []


class EnterpriseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(label=_("搜索"), method="filter_search")
    is_chain_owner = django_filters.BooleanFilter(label=_("链主企业"))
    is_head = django_filters.BooleanFilter(label=_("头部企业"))

    class Meta:
        model = Enterprise
        fields = []

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(credit_code__icontains=value) | Q(origin__icontains=value)
        )


class EventFilter(django_filters.FilterSet):
    year = YearFilter(label=_("年度"), field_name="held_on", lookup_expr="year")

    class Meta:
        model = Event
        fields = []


class AnnualTargetFilter(django_filters.FilterSet):
    year = YearFilter(label=_("年度"))
    unit = django_filters.ModelChoiceFilter(label=_("责任单位"), queryset=Unit.objects.all())
    city = django_filters.BooleanFilter(
        label=_("仅全市目标"), field_name="unit", lookup_expr="isnull"
    )

    class Meta:
        model = AnnualTarget
        fields = []


class ReportFilter(django_filters.FilterSet):
    month = MonthFilter(label=_("月份"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Report.Status.choices)

    class Meta:
        model = Report
        fields = []
