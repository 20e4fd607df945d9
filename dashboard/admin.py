from django.contrib import admin

from dashboard.models import AnnualTarget, StageWeight


@admin.register(AnnualTarget)
class AnnualTargetAdmin(admin.ModelAdmin):
    list_display = ["year", "unit", "funds_in_place", "new_signings", "starts"]
    list_filter = ["year", "unit"]


@admin.register(StageWeight)
class StageWeightAdmin(admin.ModelAdmin):
    list_display = ["stage", "weight"]
