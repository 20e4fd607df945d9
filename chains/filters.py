"""Filters of the three lists (三张清单), shared by the list pages and their Excel export.

Parameters: `chain` (a chain's id), `chain_link` (a link's id; a sub-chain includes the links
under it), `status`, `q` (text search). The export links pass the page's query string on as is.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chains.models import ChainLink, ChainTaskForce, IndustryChain, Opportunity, TargetEnterprise
from org.models import Unit


class _ChainAndLinkFilter(django_filters.FilterSet):
    chain = django_filters.ModelChoiceFilter(
        label=_("产业链"), queryset=IndustryChain.objects.all(), field_name="chain_link__chain"
    )
    chain_link = django_filters.ModelChoiceFilter(
        label=_("环节"),
        queryset=ChainLink.objects.select_related("chain"),
        method="filter_chain_link",
    )

    def filter_chain_link(self, qs, name, value):
        # The map has two levels (sub-chain → link): a sub-chain stands for its links too.
        if value is None:
            return qs
        return qs.filter(Q(chain_link=value) | Q(chain_link__parent=value))


class OpportunityFilter(_ChainAndLinkFilter):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Opportunity.Status.choices)
    q = django_filters.CharFilter(label=_("搜索"), method="filter_search")

    class Meta:
        model = Opportunity
        fields = []

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(offer__icontains=value))


class TargetFilter(_ChainAndLinkFilter):
    status = django_filters.ChoiceFilter(
        label=_("对接状态"),
        choices=TargetEnterprise.ContactStatus.choices,
        field_name="contact_status",
    )
    q = django_filters.CharFilter(label=_("搜索"), method="filter_search")

    class Meta:
        model = TargetEnterprise
        fields = []

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(enterprise__name__icontains=value) | Q(reason__icontains=value))


class TaskForceFilter(django_filters.FilterSet):
    """A task force answers for a whole chain; a link filter narrows to the link's chain."""

    chain = django_filters.ModelChoiceFilter(
        label=_("产业链"), queryset=IndustryChain.objects.all()
    )
    chain_link = django_filters.ModelChoiceFilter(
        label=_("环节"),
        queryset=ChainLink.objects.select_related("chain"),
        method="filter_chain_link",
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("单位"), queryset=Unit.objects.all(), method="filter_unit"
    )

    class Meta:
        model = ChainTaskForce
        fields = []

    def filter_chain_link(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(chain_id=value.chain_id)

    def filter_unit(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(Q(lead_unit=value) | Q(member_units=value)).distinct()
