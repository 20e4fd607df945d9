from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chains.models import ChainLink, Opportunity, TargetEnterprise
from org import roles
from org.models import Unit, User
from projects.models import Enterprise, Project


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has it,
    above the form otherwise (a field the form does not show, or a whole-row rule)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _link_choices():
    return ChainLink.objects.select_related("chain", "parent").order_by(
        "chain__order", "chain__name", "order", "name"
    )


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["chain_link", "title", "scale", "offer", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain_link"].queryset = _link_choices()


class TargetForm(forms.ModelForm):
    class Meta:
        model = TargetEnterprise
        fields = ["enterprise", "chain_link", "reason", "contact_status", "officer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain_link"].queryset = _link_choices()
        self.fields["officer"].queryset = User.objects.filter(
            groups__name=roles.OFFICER
        ).select_related("unit")
        converted = TargetEnterprise.ContactStatus.CONVERTED
        if self.instance.project_id:
            # A converted target keeps its enterprise, link and status: they are the project's.
            for name in ("enterprise", "chain_link", "contact_status"):
                self.fields[name].disabled = True
        else:
            # "已转为项目" is set by converting the target, never picked by hand.
            self.fields["contact_status"].choices = [
                c for c in TargetEnterprise.ContactStatus.choices if c[0] != converted
            ]


class ConvertTargetForm(forms.ModelForm):
    """The fields a new project needs beyond what the target already gives (investor, link)."""

    class Meta:
        model = Project
        fields = ["code", "name", "total_investment", "place", "unit", "construction_content"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.is_admin(user):
            # An officer creates projects for their own unit only (org.roles).
            self.fields["unit"].queryset = Unit.objects.filter(pk=user.unit_id)
            self.fields["unit"].initial = user.unit_id
            self.fields["unit"].empty_label = None


class LinkEnterpriseForm(forms.Form):
    enterprise = forms.ModelChoiceField(
        label=_("在链企业"),
        queryset=Enterprise.objects.all(),
        error_messages={"invalid_choice": _("请选择系统中已有的企业。")},
    )
