from django.contrib import admin

from ledger.models import ColumnMapping, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Jobs are made by the upload page and moved by the tasks; the admin only reads them."""

    list_display = ["id", "kind", "original_name", "status", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["original_name", "created_by__username", "created_by__full_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """The headers units taught the import; an admin corrects or deletes a wrong one (the
    upload page only adds them)."""

    list_display = ["unit", "kind", "header", "column_key", "created_by", "updated_at"]
    list_filter = ["kind", "unit"]
    search_fields = ["header", "unit__name"]
    readonly_fields = ["created_by", "updated_at"]
