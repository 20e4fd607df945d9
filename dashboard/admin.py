from django.contrib import admin

from dashboard.models import AnnualTarget, StageWeight


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    list_display = ["year", "unit", "funds_in_place", "new_signings", "starts"]
    list_filter = ["year", "unit"]
    list_select_related = ["unit"]


@admin.register(StageWeight)
class StageWeightAdmin(admin.ModelAdmin):
    """The forecast's weights, edited in place on the list (dashboard.figures.forecast)."""

    list_display = ["stage", "weight"]
    list_editable = ["weight"]
