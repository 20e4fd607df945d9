from django.contrib import admin
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
    list_display = ["name", "tier", "chain_leader", "order"]
    filter_horizontal = ["chain_owners"]
    inlines = [OutputInline]
    search_fields = ["name"]


@admin.register(ChainLink)
class ChainLinkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "chain", "parent", "position", "wanted_enterprises", "gap_description"]
    list_filter = ["chain", "position"]
    search_fields = ["name", "gap_description"]
    filter_horizontal = ["enterprises"]
    list_select_related = ["chain", "parent"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "chain_link", "scale", "status"]
    list_filter = ["status", "chain_link__chain"]
    search_fields = ["title"]


@admin.register(TargetEnterprise)
class TargetEnterpriseAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "chain_link", "contact_status", "officer", "project"]
    list_filter = ["contact_status", "chain_link__chain"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise", "project"]


@admin.register(ChainTaskForce)
class ChainTaskForceAdmin(admin.ModelAdmin):
    list_display = ["chain", "leader", "lead_unit", "contact_person"]
    filter_horizontal = ["member_units"]
