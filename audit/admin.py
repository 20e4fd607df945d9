from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only, for admins: nobody adds, changes or deletes an entry here."""

    list_display = ["at", "username", "ip_address", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "ip_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
