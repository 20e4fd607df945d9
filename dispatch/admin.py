from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dispatch import notices, services
from dispatch.models import DispatchSettings, Notice, Report, ReportSettings


@admin.register(DispatchSettings)
class DispatchSettingsAdmin(admin.ModelAdmin):
    """One row: the staleness thresholds. The schedules are under 定时任务 (django-celery-beat)."""

    list_display = ["__str__", "yellow_months", "red_months", "drop_months"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DispatchSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    """One row: the issuing body, 主送 and 抄送 printed on every report."""

    list_display = ["__str__", "issuer", "main_recipients", "copy_to"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Versions are made by "generate now", the schedule or the command, never typed in."""

    list_display = [
        "month",
        "version",
        "status",
        "progress",
        "trigger",
        "requested_by",
        "created_at",
        "finished_at",
        "attempts",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "month"
    # Only the 成文日期 is the admin's to set; everything else is the build's record.
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "dated_on"]
    exclude = ["snapshot"]
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by").defer("snapshot")

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新生成所选失败的报告"), permissions=["change"])
    def retry_failed(self, request, queryset):
        count = sum(services.report_retry(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%d 份报告已重新排队。", "%d 份报告已重新排队。", count) % count,
            messages.SUCCESS,
        )


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "recipient_user",
        "recipient_unit",
        "subject",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["subject", "recipient_user__username", "recipient_unit__name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notice._meta.fields]
    actions = ["resend"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient_user", "recipient_unit")

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新发送所选失败的通知"), permissions=["change"])
    def resend(self, request, queryset):
        count = notices.notice_resend(notice_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%d 条通知已重新排队。", "%d 条通知已重新排队。", count) % count,
            messages.SUCCESS,
        )
