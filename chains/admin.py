from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from chains.models import (
    ChainLink,
    ChainOutput,
    ChainTaskForce,
    IndustryChain,
    Opportunity,
    TargetEnterprise,
)


class OutputInline(admin.TabularInline):
    model = ChainOutput
    extra = 0


@admin.register(IndustryChain)
class IndustryChainAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "chain_leader", "order", "is_illustrative"]
    list_select_related = ["chain_leader"]
    filter_horizontal = ["chain_owners"]
    inlines = [OutputInline]
    search_fields = ["name", "short_name"]


@admin.register(ChainLink)
class ChainLinkAdmin(SimpleHistoryAdmin):
    """The model form runs ChainLink.clean, so a parent from another chain is refused here too."""

    list_display = [
        "name",
        "chain",
        "parent",
        "position",
        "wanted_enterprises",
        "present_count",
        "gap",
        "gap_description",
    ]
    list_filter = ["chain", "position"]
    search_fields = ["name", "gap_description", "chain__name"]
    filter_horizontal = ["enterprises"]
    list_select_related = ["chain", "parent"]
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(present=Count("enterprises"))

    @admin.display(description=_("在链企业数"), ordering="present")
    def present_count(self, link):
        return link.present

    @admin.display(description=_("尚缺"))
    def gap(self, link):
        return link.gap_count(present=link.present)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "chain_link", "scale", "status", "is_illustrative"]
    list_filter = ["status", "chain_link__chain"]
    list_select_related = ["chain_link__chain"]
    search_fields = ["title", "offer"]
    autocomplete_fields = ["chain_link"]


@admin.register(TargetEnterprise)
class TargetEnterpriseAdmin(admin.ModelAdmin):
    """The project a target became is set by "转为项目" (chains.services), never typed here."""

    list_display = ["enterprise", "chain_link", "contact_status", "officer", "project"]
    list_filter = ["contact_status", "chain_link__chain"]
    list_select_related = ["enterprise", "chain_link__chain", "officer", "project"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise", "chain_link"]
    readonly_fields = ["project"]


@admin.register(ChainTaskForce)
class ChainTaskForceAdmin(admin.ModelAdmin):
    list_display = ["chain", "leader", "lead_unit", "contact_person", "contact_phone"]
    list_select_related = ["chain", "leader", "lead_unit"]
    filter_horizontal = ["member_units"]
