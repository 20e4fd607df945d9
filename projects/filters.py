"""The list filters shared by the pages, the Excel exports and the API: the project list's
`ProjectFilter` and the problem list's `ProblemFilter`."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from org.models import Place, Unit, User
from org.roles import LEADER
from projects import periods, selectors, warnings
from projects.flags import Flag
from projects.models import Event, Problem, ProblemCategory, Project, chain_models, key_q, overdue_q
from projects.stages import Stage

IndustryChain, ChainLink = chain_models()

YEAR_MESSAGE = _("年度应为1900至2100之间的四位数字。")
ATTENTION_FIGURES = ("flagged", "four_one_missing")
PERIOD_SUMS = ("funds_period", "completed_period")
FIGURE_CHOICES = [(name, name) for name in (*periods.FIGURES, *ATTENTION_FIGURES)]


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(django_filters.NumberFilter):
    """A calendar year; bounded, since a `__year` lookup cannot take year 0 or 10000."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault(
            "error_messages",
            {"invalid": YEAR_MESSAGE, "min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE},
        )
        super().__init__(*args, **kwargs)


class Ordering(django_filters.OrderingFilter):
    """Sort choices in the page's language: "总投资（降序）", not django-filter's untranslated
    "总投资 (descending)"."""

    descending_fmt = _("%s（降序）")

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if not value:
            return qs
        # Equal values (a name, a date, a period's zero) in a fixed order, so that pages
        # neither repeat nor skip rows.
        return qs.order_by(*qs.query.order_by, "id")


class ProjectFilter(django_filters.FilterSet):
    # A plain column joins nothing, so no duplicates: django-filter's default DISTINCT would
    # make PostgreSQL sort every column of every filtered row (38 of 57 ms of an API page at
    # 10,000 projects).
    stage = django_filters.MultipleChoiceFilter(
        label=_("色卡阶段"), choices=Stage.choices, distinct=False
    )
    chain = django_filters.ModelChoiceFilter(
        label=_("产业链"), queryset=IndustryChain.objects.all()
    )
    chain_link = django_filters.ModelChoiceFilter(label=_("环节"), queryset=ChainLink.objects.all())
    place = django_filters.ModelChoiceFilter(label=_("建设地点"), queryset=Place.objects.all())
    unit = django_filters.ModelChoiceFilter(label=_("责任单位"), queryset=Unit.objects.all())
    leader = django_filters.ModelChoiceFilter(
        label=_("包抓领导"), queryset=User.objects.filter(groups__name=LEADER)
    )
    event = django_filters.ModelChoiceFilter(label=_("签约活动"), queryset=Event.objects.all())
    is_key = django_filters.BooleanFilter(label=_("仅重点项目"), method="filter_is_key")
    flagged = django_filters.BooleanFilter(label=_("有预警"), method="filter_flagged")
    flag = django_filters.ChoiceFilter(
        label=_("预警类型"), choices=Flag.choices, method="filter_flag"
    )
    overdue = django_filters.BooleanFilter(label=_("有逾期问题"), method="filter_overdue")
    no_progress = django_filters.BooleanFilter(label=_("上月未报进展"), method="filter_no_progress")
    signed_year = YearFilter(label=_("签约年度"), field_name="signed_on", lookup_expr="year")
    started_year = YearFilter(label=_("开工年度"), field_name="started_on", lookup_expr="year")
    search = django_filters.CharFilter(label=_("搜索"), method="filter_search")
    # A dashboard figure's rows (projects.periods): `figure` for the period `year` (to `month`),
    # `at_stage` for the stage and funnel figures. The year also adds the period's funds in
    # place and investment completed to the list.
    figure = django_filters.ChoiceFilter(
        label=_("统计口径"),
        choices=FIGURE_CHOICES,
        method="filter_figure",
        widget=forms.HiddenInput,
    )
    year = YearFilter(label=_("统计年度"), method="filter_period")
    month = django_filters.NumberFilter(
        label=_("截至月份"),
        method="filter_period",
        min_value=1,
        max_value=12,
        widget=forms.HiddenInput,
    )
    at_stage = django_filters.ChoiceFilter(
        label=_("期末阶段"), choices=Stage.choices, method="filter_period", widget=forms.HiddenInput
    )
    ordering = Ordering(
        label=_("排序"),
        empty_label=_("默认（总投资从高到低）"),
        fields=(
            ("total_investment", "total_investment"),
            ("name", "name"),
            ("signed_on", "signed_on"),
            ("stage_changed_at", "stage_changed_at"),
            ("code", "code"),
            ("funds_period", "funds_period"),
            ("completed_period", "completed_period"),
        ),
        field_labels={
            "total_investment": _("总投资"),
            "name": _("名称"),
            "signed_on": _("签约日期"),
            "stage_changed_at": _("阶段变更"),
            "code": _("编号"),
            "funds_period": _("到位资金"),
            "completed_period": _("完成投资"),
        },
    )

    class Meta:
        model = Project
        fields = []

    def period_scope(self) -> periods.Scope | None:
        """The period the list was asked for (year, to month), with no other filter."""
        data = getattr(self.form, "cleaned_data", {})
        year = data.get("year")
        if not year:
            return None
        return periods.Scope(year=int(year), month=int(data.get("month") or 12))

    def filter_period(self, qs, name, value):
        # Read by filter_figure and the list's period columns, not a filter by itself.
        return qs

    def filter_queryset(self, queryset):
        scope = self.period_scope()
        if scope is not None:
            # The period's sums beside each row, sortable (the ordering filter runs after).
            queryset = periods.with_period_sums(periods.as_of(queryset, scope), scope)
        elif self._orders_by_period_sums():
            # Sorted by 到位资金 without a period: this year's so far.
            today = timezone.localdate()
            this_year = periods.Scope(year=today.year, month=today.month)
            queryset = periods.with_period_sums(queryset, this_year)
        return super().filter_queryset(queryset)

    def _orders_by_period_sums(self) -> bool:
        ordering = getattr(self.form, "cleaned_data", {}).get("ordering") or []
        return any(o.lstrip("-") in PERIOD_SUMS for o in ordering)

    def filter_figure(self, qs, name, value):
        scope = self.period_scope()
        if not value or scope is None:
            return qs
        if value in ATTENTION_FIGURES:
            day = scope.attention_day(timezone.localdate())
            flagged = selectors.with_flags_at(
                periods.as_of(Project.objects.all(), scope).filter(periods.live_q()),
                day,
                warnings.thresholds(),
            )
            condition = {
                "flagged": selectors.flagged_then_q(),
                "four_one_missing": Q(four_one_missing=True),
            }[value]
            return qs.filter(pk__in=flagged.filter(condition).values("pk"))
        condition = periods.figure_q(value, scope, self.form.cleaned_data.get("at_stage"))
        return qs if condition is None else qs.filter(condition)

    def filter_is_key(self, qs, name, value):
        if value is None:
            return qs
        cond = key_q()
        return qs.filter(cond) if value else qs.exclude(cond)

    def filter_flagged(self, qs, name, value):
        if value is None:
            return qs
        qs = selectors.with_flags(qs)
        return qs.filter(selectors.flagged_q()) if value else qs.exclude(selectors.flagged_q())

    def filter_flag(self, qs, name, value):
        staleness = {Flag.STALE_YELLOW: "yellow", Flag.STALE_RED: "red", Flag.PROPOSE_DROP: "drop"}
        if value in staleness:
            return qs.filter(staleness=staleness[value])
        if value == Flag.FOUR_ONE_MISSING:
            return selectors.with_flags(qs).filter(four_one_missing=True)
        if value == Flag.OVERDUE_PROBLEM:
            return selectors.with_flags(qs).filter(has_overdue_problem=True)
        return qs

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        return selectors.with_flags(qs).filter(has_overdue_problem=value)

    def filter_no_progress(self, qs, name, value):
        if value is None:
            return qs
        last_month = selectors.previous_month(timezone.localdate())
        filed = selectors.progress_filed_q(last_month)
        return qs.filter(~filed) if value else qs.filter(filed)

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(investor__name__icontains=value) | Q(code__icontains=value)
        )


YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


class ProblemFilter(django_filters.FilterSet):
    """The problem list's filters, shared by the page, its Excel export and the API."""

    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Problem.Status.choices, empty_label=_("全部")
    )
    overdue = django_filters.BooleanFilter(
        label=_("已逾期"), method="filter_overdue", widget=forms.Select(choices=YES_NO)
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"), queryset=Unit.objects.all(), empty_label=_("全部")
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=ProblemCategory.choices, empty_label=_("全部")
    )
    chain = django_filters.ModelChoiceFilter(
        label=_("产业链"),
        field_name="project__chain",
        queryset=IndustryChain.objects.all(),
        empty_label=_("全部"),
    )
    # The dashboard's overdue figure for a scope and day: the projects' filters, and the day.
    project_unit = django_filters.ModelChoiceFilter(
        label=_("项目责任单位"),
        field_name="project__unit",
        queryset=Unit.objects.all(),
        widget=forms.HiddenInput,
    )
    place = django_filters.ModelChoiceFilter(
        label=_("建设地点"),
        field_name="project__place",
        queryset=Place.objects.all(),
        widget=forms.HiddenInput,
    )
    leader = django_filters.ModelChoiceFilter(
        label=_("包抓领导"),
        field_name="project__leader",
        queryset=User.objects.filter(groups__name=LEADER),
        widget=forms.HiddenInput,
    )
    overdue_on = django_filters.DateFilter(
        label=_("截至日期逾期"), method="filter_overdue_on", widget=forms.HiddenInput
    )
    # Set by the link on a project's page; a model choice, so an unknown or absurd id is a
    # field error rather than an overflowing lookup.
    project = django_filters.ModelChoiceFilter(
        label=_("项目"), queryset=Project.objects.all(), widget=forms.HiddenInput
    )
    search = django_filters.CharFilter(label=_("搜索"), method="filter_search")

    class Meta:
        model = Problem
        fields = []

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = overdue_q(timezone.localdate())
        return qs.filter(late) if value else qs.exclude(late)

    def filter_overdue_on(self, qs, name, value):
        return qs if value is None else qs.filter(periods.overdue_problems_at(value))

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(description__icontains=value) | Q(project__name__icontains=value))
