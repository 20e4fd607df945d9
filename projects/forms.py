"""Forms of the project pages: create/edit a project and move its color card.

The forms parse and present; the rules (dates in order, a chain link on its chain, a move's
requirements, who may write) live in `projects.services`, whose errors the views attach to
these forms' fields with `attach_errors`.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from org import roles
from org.models import Place, Unit, User
from projects import services, stages
from projects.models import Enterprise, Event, Project, chain_models
from projects.stages import Stage
from projects.validators import check_amount
from projects.widgets import SearchSelect, SearchSelectMultiple

IndustryChain, ChainLink = chain_models()


class DateInput(forms.DateInput):
    """The browser's date picker (a calendar on phones)."""

    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class ChainLinkSelect(forms.Select):
    """Each option says its chain, so the page can show only the chosen chain's links."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-chain"] = instance.chain_id
        return option


def _amount_widget():
    return forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})


# What an edit may change; the stage moves only through the transition form, and the
# bookkeeping fields (version, staleness, created_*) belong to the services.
EDITABLE_FIELDS = [
    "code",
    "name",
    "investor",
    "co_investors",
    "total_investment",
    "contracted_investment",
    "chain",
    "chain_link",
    "place",
    "construction_content",
    "lead_source",
    "event",
    "intent_note",
    "first_contact_on",
    "signed_on",
    "started_on",
    "expected_completion_on",
    "operating_on",
    "unit",
    "leader",
    "team",
    "manager",
]
# The fields `services.check_dates` reads.
CHECKED_TOGETHER = ["signed_on", "started_on", "operating_on", "chain", "chain_link"]
# Starting stages a new project may take; dropped is a move with a reason, not a start.
CREATE_STAGES = stages.START_STAGES


class ProjectForm(forms.ModelForm):
    """Create or edit a project. `user` limits the units an officer may choose."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = EDITABLE_FIELDS
        widgets = {
            "first_contact_on": DateInput(),
            "signed_on": DateInput(),
            "started_on": DateInput(),
            "expected_completion_on": DateInput(),
            "operating_on": DateInput(),
            "total_investment": _amount_widget(),
            "contracted_investment": _amount_widget(),
            "chain_link": ChainLinkSelect(),
            "construction_content": forms.Textarea(attrs={"rows": 3}),
            "intent_note": forms.Textarea(attrs={"rows": 3}),
            # Thousands of investors: a search box, never the whole list (projects.widgets).
            "investor": SearchSelect(),
            "co_investors": SearchSelectMultiple(attrs={"size": 4}),
            "team": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        fields = self.fields
        fields["investor"].queryset = Enterprise.objects.order_by("name")
        fields["co_investors"].queryset = Enterprise.objects.order_by("name")
        fields["co_investors"].help_text = _("合资、联合投资的其他企业，可多选，可不填")
        fields["chain"].queryset = IndustryChain.objects.all()
        fields["chain_link"].queryset = ChainLink.objects.select_related("chain")
        fields["place"].queryset = Place.objects.all()
        fields["event"].queryset = Event.objects.all()
        fields["leader"].queryset = User.objects.filter(groups__name=roles.LEADER).distinct()
        people = User.objects.filter(is_active=True).order_by("username")
        fields["team"].queryset = people
        fields["manager"].queryset = people
        fields["team"].help_text = _("可多选（电脑上按住 Ctrl 选择）")
        if roles.is_admin(user):
            fields["unit"].queryset = Unit.objects.all()
        else:
            # An officer files projects for their own unit only; the service refuses others too.
            fields["unit"].queryset = Unit.objects.filter(pk=user.unit_id)
            if creating:
                fields["unit"].initial = user.unit_id
        if creating:
            # Left blank, the service gives the office's next number (JC-2026-0042).
            fields["code"].required = False
            fields["code"].widget.attrs["placeholder"] = _("留空自动编号")
            del fields["version"]
            fields["stage"] = forms.ChoiceField(
                label=_("初始色卡阶段"),
                choices=[(s.value, s.label) for s in CREATE_STAGES],
                initial=Stage.RED,
                help_text=_("新项目一般为红色；其他阶段须已具备相应条件（合作意向、签约日期等）"),
            )
        else:
            fields["version"].required = True
            fields["version"].initial = self.instance.version

    def clean_total_investment(self):
        return check_amount(self.cleaned_data.get("total_investment"), allow_zero=False)

    def clean_contracted_investment(self):
        return check_amount(self.cleaned_data.get("contracted_investment"), allow_zero=True)

    def clean(self):
        cleaned = super().clean()
        # Dates in order (and a link on its chain) are checked here with the service's own
        # check, so the message lands on its field: on save, the model's check constraint
        # would trip first and say only "constraint violated". The service checks again.
        probe = Project(**{name: cleaned.get(name) for name in CHECKED_TOGETHER})
        try:
            services.check_dates(probe)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        return cleaned

    def _post_clean(self):
        # The model's full validation (unique code, validators, check constraints) runs in the
        # service, the one place every surface goes through, and `attach_errors` puts its
        # messages on these fields; running it here as well would only repeat it.
        pass

    def service_fields(self) -> dict:
        """The cleaned values as keyword arguments for project_create / project_update."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["team"] = list(data.get("team") or [])
        data["m2m"] = {"co_investors": list(data.pop("co_investors", None) or [])}
        return data


class TransitionForm(forms.Form):
    """Move a project's color card to one of the stages its current stage allows, filling in
    the move itself what the move needs (stages.move_fields): the intent for orange, the
    signing date and contracted amount for blue, the start date for green, the operation date.
    """

    to = forms.ChoiceField(label=_("变更为"), widget=forms.RadioSelect)
    intent_note = forms.CharField(
        label=_("合作意向"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("企业表达的合作意向"),
    )
    signed_on = forms.DateField(
        label=_("签约日期"), required=False, widget=DateInput(), help_text=_("蓝色自签约之日起")
    )
    contracted_investment = forms.DecimalField(
        label=_("签约投资（万元）"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=_amount_widget(),
    )
    started_on = forms.DateField(
        label=_("实际开工日期"),
        required=False,
        widget=DateInput(),
        help_text=_("绿色自开工之日起"),
    )
    operating_on = forms.DateField(
        label=_("投产日期"),
        required=False,
        widget=DateInput(),
        help_text=_("已投产自投产之日起"),
    )
    reason = forms.CharField(
        label=_("变更原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("降级、终止、恢复或跨阶段升级时必填"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    # The fields a move may fill, in the order the form shows them.
    MOVE_FIELDS = [
        "intent_note",
        "signed_on",
        "contracted_investment",
        "started_on",
        "operating_on",
    ]

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.targets = stages.allowed_targets(Stage(project.stage))
        self.fields["to"].choices = [(s.value, s.label) for s in self.targets]
        self.fields["version"].initial = project.version
        # What the project already has is shown, so the move only adds what is missing.
        for name in self.MOVE_FIELDS:
            self.fields[name].initial = getattr(project, name)

    def clean_contracted_investment(self):
        return check_amount(self.cleaned_data.get("contracted_investment"), allow_zero=False)

    def move_values(self) -> dict:
        """What the chosen move records: the fields of its requirements (and the intent, which
        any move may restate); what was typed for another target is left out."""
        target = stages.parse_stage(self.cleaned_data.get("to") or "")
        wanted = (
            {*stages.move_fields(target, self.project.stage), "intent_note"} if target else set()
        )
        return {name: self.cleaned_data.get(name) for name in self.MOVE_FIELDS if name in wanted}


def attach_errors(form: forms.Form, error: ValidationError, field_map=None) -> None:
    """Put a service's ValidationError on the form's fields; what no field shows goes on top."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field_map.get(field, field)
        if target in form.fields:
            form.add_error(target, messages)
        else:
            label = Project._meta.get_field(field).verbose_name if _is_field(field) else ""
            for message in messages:
                form.add_error(None, f"{label}：{message}" if label else message)


def _is_field(name: str) -> bool:
    try:
        Project._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
