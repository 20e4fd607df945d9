import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.selectors import month_start, previous_month

EARLIEST_MONTH = datetime.date(2000, 1, 1)
MONTH_PATTERN = re.compile(r"\d{4}-\d{1,2}")


class ReportRequestForm(forms.Form):
    """ "Generate now": the month of the report, as the browser's month picker sends it."""

    month = forms.CharField(
        label=_("报告月份"),
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("格式：年-月，如 2025-06"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial", {"month": previous_month(timezone.localdate()).strftime("%Y-%m")}
        )
        super().__init__(*args, **kwargs)

    def clean_month(self) -> datetime.date:
        text = self.cleaned_data["month"].strip()
        try:
            if not MONTH_PATTERN.fullmatch(text):
                raise ValueError(text)
            month = datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("请选择月份（格式：年-月，如 2025-06）。")) from None
        if month > month_start(timezone.localdate()):
            raise forms.ValidationError(_("不能生成未来月份的调度报告。"))
        if month < EARLIEST_MONTH:
            raise forms.ValidationError(_("月份过早，请核对年份。"))
        return month
