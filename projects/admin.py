from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from projects import services, watch
from projects.models import (
    Enterprise,
    EnterpriseContact,
    Event,
    Instruction,
    InstructionReply,
    MonthlyProgress,
    Problem,
    Project,
    StageChange,
)


class SaveRefused(Exception):
    """A service refused the admin's save; the message is already on the request."""


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


class ProjectAdminForm(forms.ModelForm):
    """Runs the services' checks while the form can still show them on fields, and carries
    the version the admin loaded so a save over someone else's newer edit is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        # What an edit may change; the stage and the bookkeeping are the services' (read-only).
        fields = [
            "code", "name", "investor", "co_investors", "total_investment",
            "contracted_investment", "chain", "chain_link", "place", "construction_content",
            "lead_source", "event", "intent_note", "first_contact_on", "signed_on",
            "started_on", "expected_completion_on", "operating_on", "unit", "leader", "team",
            "manager", "source", "is_illustrative",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def _post_clean(self):
        super()._post_clean()  # the instance now holds the submitted values
        if self.errors:
            return
        try:
            services.validate_edit(self.instance)
        except ValidationError as err:
            self._update_errors(err)
        if self.instance.pk:
            saved = Project.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            if self.cleaned_data.get("loaded_version") not in (None, *saved):
                self.add_error(None, _("该项目已被他人修改，请刷新页面、核对后再保存。"))


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    form = ProjectAdminForm
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

        The form has already run the services' checks; what can still fail here is a save
        that raced another one, shown as a message with nothing saved. The color card is
        moved on the project page (it needs the move's date and reason): read-only here.
        """
        m2m = {"team", "co_investors"}
        fields = {
            f: form.cleaned_data[f]
            for f in form.cleaned_data
            if f not in services.PROTECTED_FIELDS and f not in m2m and f != "loaded_version"
        }
        # The team and co-investors are set by the service with the rest (see save_related).
        team = form.cleaned_data.get("team")
        members = {f: form.cleaned_data[f] for f in m2m - {"team"} if f in form.cleaned_data}
        try:
            if change:
                version = form.cleaned_data.get("loaded_version") or obj.version
                saved = services.project_update(
                    project_id=obj.pk,
                    version=version,
                    user=request.user,
                    team=team,
                    m2m=members,
                    **fields,
                )
            else:
                saved = services.project_create(
                    user=request.user, team=team or (), m2m=members, **fields
                )
        except (services.EditConflict, ValidationError) as err:
            messages.error(request, "；".join(getattr(err, "messages", [str(err)])))
            return
        obj.pk, obj.version = saved.pk, saved.version

    def save_related(self, request, form, formsets, change):
        # The service set the many-to-many fields with the save (and none of them when it
        # refused it), keeping the dashboard's 四个一 list to a changed team; only the inlines
        # are left to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


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
    readonly_fields = ["filed_by", "filed_at"]

    def get_readonly_fields(self, request, obj=None):
        # An entry stays with its project; a wrong project is a new entry.
        return [*self.readonly_fields, "project"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Through the progress services: the same checks as the pages (one entry a month,
        amounts, no future month), the project's lock, and its warning recomputed."""
        values = {
            f: form.cleaned_data[f] for f in services.PROGRESS_FIELDS if f in form.cleaned_data
        }
        try:
            if change:
                saved = services.progress_update(user=request.user, progress_id=obj.pk, **values)
            else:
                saved = services.progress_create(
                    user=request.user, project_id=form.cleaned_data["project"].pk, **values
                )
        except ValidationError as err:
            messages.error(request, "；".join(err.messages))
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        # Through the service: the month totals and funds to date lose the entry too.
        services.progress_delete(user=request.user, progress_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.progress_delete(
            user=request.user, progress_ids=list(queryset.values_list("pk", flat=True))
        )


class InstructionInline(admin.TabularInline):
    model = Instruction
    extra = 0
    fields = ["leader", "text", "given_at", "unit", "deadline", "status"]


class InstructionReplyInline(admin.TabularInline):
    # Replies are history: the unit writes them through its page, the admin only reads them.
    model = InstructionReply
    extra = 0
    fields = ["replied_at", "replied_by", "text", "marks_done"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ["project", "category", "unit", "deadline", "status", "resolved_on"]
    list_filter = ["status", "category", "unit"]
    search_fields = ["project__name", "description"]
    autocomplete_fields = ["project"]
    inlines = [InstructionInline]
    readonly_fields = ["raised_by", "raised_at"]

    def get_readonly_fields(self, request, obj=None):
        # A problem stays with its project; once resolved, its resolution is the record.
        fields = [*self.readonly_fields, "project"] if obj else list(self.readonly_fields)
        if obj and obj.status == Problem.Status.RESOLVED:
            fields += ["status", "resolution", "resolved_on"]
        return fields

    def save_model(self, request, obj, form, change):
        """Every save goes through the services: raising (problem_create), correcting
        (problem_update) and resolving (problem_resolve), with their checks and history.

        A refusal is shown as a message and nothing of the form is kept (see changeform_view).
        """
        data = form.cleaned_data
        try:
            if not change:
                saved = services.problem_create(
                    user=request.user,
                    project_id=data["project"].pk,
                    category=data["category"],
                    description=data["description"],
                    unit=data["unit"],
                    deadline=data["deadline"],
                )
                obj.pk = saved.pk
                return
            resolving = "status" in form.changed_data and data.get("status") == (
                Problem.Status.RESOLVED
            )
            if not resolving and {"resolution", "resolved_on"} & set(form.changed_data):
                raise ValidationError(
                    _("要办结该问题，请将状态改为“已解决”；未办结的问题不填写解决情况和解决日期。")
                )
            corrections = {f: data[f] for f in services.PROBLEM_FIELDS if f in form.changed_data}
            if corrections:
                # Judged on the problem as it stands, before a resolution in the same save.
                services.problem_update(user=request.user, problem_id=obj.pk, **corrections)
            if resolving:
                services.problem_resolve(
                    user=request.user,
                    problem_id=obj.pk,
                    resolution=data.get("resolution", ""),
                    resolved_on=data.get("resolved_on"),
                )
        except ValidationError as err:
            messages.error(request, "；".join(err.messages))
            raise SaveRefused from err

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        watch.changed()  # the dashboard's overdue problems

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        watch.changed()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SaveRefused:
            # Raised out of the admin's transaction, so it is rolled back whole: a correction
            # made before a refused resolution, and the inline instructions of the same form,
            # are not kept. Back to the form, with the message saying why.
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Instruction)
class InstructionAdmin(admin.ModelAdmin):
    list_display = ["project", "leader", "given_at", "unit", "deadline", "status"]
    list_filter = ["status", "unit"]
    search_fields = ["project__name", "text"]
    autocomplete_fields = ["project"]
    inlines = [InstructionReplyInline]
