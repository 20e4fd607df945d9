"""Filters of the API lists that have no page of their own to share one with.

The project list uses `projects.filters.ProjectFilter` and the chain lists `chains.filters`,
the same FilterSets as their pages.
"""

import datetime
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from api.serializers import MONTH_MESSAGE, MONTH_PATTERN
from chains.models import IndustryChain
from dashboard.models import AnnualTarget
from dispatch.models import Report
from org.models import Unit, User
from org.roles import LEADER
from projects.filters import ProjectFilter
from projects.models import (
    Enterprise,
    Event,
    Instruction,
    MonthlyProgress,
    Problem,
    ProblemCategory,
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


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(django_filters.NumberFilter):
    """A calendar year; bounded, since a `__year` lookup cannot take year 0 or 10000."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class ApiProjectFilter(ProjectFilter):
    """The list page's ProjectFilter, with its year and event filters checked.

    Until projects.filters checks them itself: `?signed_year=0` makes the `__year` lookup build
    date(0, 1, 1), and `?event=1e30` overflows the id lookup: a 500 instead of a 400.
    """

    signed_year = YearFilter(label=_("签约年度"), field_name="signed_on", lookup_expr="year")
    started_year = YearFilter(label=_("开工年度"), field_name="started_on", lookup_expr="year")
    # The page's NumberFilter takes any decimal (`event=-5e111` overflows the id lookup).
    event = django_filters.ModelChoiceFilter(label=_("签约活动"), queryset=Event.objects.all())


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


class ProblemFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(label=_("项目"), queryset=Project.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Problem.Status.choices)
    category = django_filters.ChoiceFilter(label=_("类别"), choices=ProblemCategory.choices)
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"), queryset=Unit.objects.all(), method="filter_unit"
    )
    overdue = django_filters.BooleanFilter(label=_("已逾期"), field_name="overdue")

    class Meta:
        model = Problem
        fields = []

    def filter_unit(self, qs, name, value):
        # An officer follows the blockers their unit must clear and those on its projects.
        if value is None:
            return qs
        return qs.filter(Q(unit=value) | Q(project__unit=value))


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
