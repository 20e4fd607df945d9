from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from projects import services
from projects.models import (
    Enterprise,
    EnterpriseContact,
    Event,
    Instruction,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
)


class ContactInline(admin.TabularInline):
    model = EnterpriseContact
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "origin", "is_chain_owner", "is_head", "is_illustrative"]
    list_filter = ["is_chain_owner", "is_head", "is_illustrative"]
    search_fields = ["name", "credit_code"]
    inlines = [ContactInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "held_on", "venue", "reported_project_count", "reported_amount"]
    search_fields = ["name"]
    date_hierarchy = "held_on"


class StageChangeInline(admin.TabularInline):
    """History rows are shown, never edited: they are written by the state machine."""

    model = StageChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_stage", "to_stage", "changed_by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "investor",
        "total_investment",
        "stage",
        "chain",
        "place",
        "unit",
        "leader",
    ]
    list_filter = ["stage", "chain", "place", "unit", "is_illustrative"]
    search_fields = ["code", "name", "investor__name"]
    autocomplete_fields = ["investor", "co_investors", "event"]
    filter_horizontal = ["team"]
    readonly_fields = [
        "stage",
        "stage_changed_at",
        "version",
        "staleness",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [StageChangeInline]
    list_select_related = ["investor", "chain", "place", "unit", "leader"]

    def save_model(self, request, obj, form, change):
        """Saves go through the services, so the admin obeys the same rules as the pages.

        The color card is moved on the project page (it needs the move's date and reason);
        here the stage is read-only.
        """
        fields = {
            f: form.cleaned_data[f]
            for f in form.cleaned_data
            if f not in services.PROTECTED_FIELDS and f not in ("team", "co_investors")
        }
        try:
            if change:
                saved = services.project_update(
                    project_id=obj.pk, version=obj.version, user=request.user, **fields
                )
            else:
                saved = services.project_create(user=request.user, **fields)
        except services.EditConflict as conflict:
            messages.error(request, str(conflict))
            raise
        except ValidationError as err:
            messages.error(request, "；".join(err.messages))
            raise
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "changed_at", "changed_by", "reason"]
    list_filter = ["to_stage", "from_stage"]
    search_fields = ["project__name", "reason"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MonthlyProgress)
class MonthlyProgressAdmin(SimpleHistoryAdmin):
    list_display = ["project", "month", "investment_completed", "funds_in_place", "filed_by"]
    list_filter = ["month"]
    search_fields = ["project__name"]
    autocomplete_fields = ["project"]
    date_hierarchy = "month"


class InstructionInline(admin.TabularInline):
    model = Instruction
    extra = 0
    fields = ["leader", "text", "given_at"]


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ["project", "category", "unit", "deadline", "status", "resolved_on"]
    list_filter = ["status", "category", "unit"]
    search_fields = ["project__name", "description"]
    autocomplete_fields = ["project"]
    inlines = [InstructionInline]


@admin.register(Instruction)
class InstructionAdmin(admin.ModelAdmin):
    list_display = ["project", "leader", "given_at"]
    search_fields = ["project__name", "text"]
    autocomplete_fields = ["project"]
