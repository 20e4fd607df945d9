"""Forms of the daily work: progress (quick on a phone), problems, instructions, enterprises.
(The problem list's filters are `projects.filters.ProblemFilter`.)

The forms only read the input into types; the rules (no future month, no duplicate, amounts,
credit code) live in `projects.services`, which the views call, so the page and the API refuse
the same things with the same words.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit
from projects.models import Problem, ProblemCategory
from projects.selectors import month_start

# Numeric keyboard on a phone, two decimals (万元).
AMOUNT_ATTRS = {"inputmode": "decimal", "step": "0.01", "autocomplete": "off"}


def show_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields; errors about fields the form does not
    show go on top of the form, so nothing is lost."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def amount_field(label):
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs=AMOUNT_ATTRS),
        error_messages={"invalid": _("请输入金额数字（单位：万元）。")},
    )


class ProgressForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("请选择月份（格式：年-月，如 2025-06）。")},
    )
    investment_completed = amount_field(_("本月完成投资（万元）"))
    funds_in_place = amount_field(_("本月到位资金（万元）"))
    narrative = forms.CharField(
        label=_("本月进展"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("下步计划"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_for_new(cls):
        return {"month": month_start(timezone.localdate())}


class ProblemForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("请选择")), *ProblemCategory.choices],
        error_messages={"required": _("请选择问题类别。")},
    )
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("负责解决的单位"), queryset=Unit.objects.all())
    deadline = forms.DateField(
        label=_("办结时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    resolved_on = forms.DateField(
        label=_("解决日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class InstructionForm(forms.Form):
    problem = forms.ModelChoiceField(
        label=_("针对的难点堵点"),
        queryset=Problem.objects.none(),
        required=False,
        empty_label=_("（针对整个项目）"),
    )
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 4}))
    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.all(),
        help_text=_("负责办理并回复的单位"),
        error_messages={"required": _("请选择负责办理的责任单位。")},
    )
    deadline = forms.DateField(
        label=_("办理时限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("请填写办理时限。"), "invalid": _("请填写日期。")},
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = Problem.objects.filter(project=project).order_by(
            "status", "deadline"
        )
        self.fields["unit"].initial = project.unit_id


class InstructionReplyForm(forms.Form):
    text = forms.CharField(
        label=_("办理情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写办理情况。")},
    )
    done = forms.BooleanField(
        label=_("已办结"), required=False, help_text=_("勾选后该批示标记为已办结")
    )


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=120)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        required=False,
        max_length=30,
        help_text=_("18位，可不填；填写后将核对校验位"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    origin = forms.CharField(label=_("来源地"), max_length=60, required=False)
    is_chain_owner = forms.BooleanField(label=_("链主企业"), required=False)
    is_head = forms.BooleanField(label=_("头部企业"), required=False)
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The version the editor loaded (edits only), so a save over a newer edit is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    title = forms.CharField(label=_("职务"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )


ContactFormSet = forms.formset_factory(ContactForm, extra=2)


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    chain_owner = forms.BooleanField(label=_("仅链主企业"), required=False)
    head = forms.BooleanField(label=_("仅头部企业"), required=False)
