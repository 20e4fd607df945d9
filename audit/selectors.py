"""Reading the audit trail: newest first, filtered by person, action and time range."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry


class AuditFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(
        label=_("用户名"), field_name="username", lookup_expr="icontains"
    )
    action = django_filters.ChoiceFilter(
        label=_("操作"), choices=AuditEntry.Action.choices, empty_label=_("全部")
    )
    ip_address = django_filters.CharFilter(label=_("IP地址"))
    since = django_filters.DateFilter(
        label=_("开始日期"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("结束日期"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = ["username", "action", "ip_address", "since", "until"]


def audit_entry_list(*, params) -> AuditFilter:
    """The trail as a bound FilterSet (its .qs is the page's rows, its form the filters)."""
    return AuditFilter(params, queryset=AuditEntry.objects.select_related("user"))
