"""The dashboard's filters (GET): year, month, chain, place, unit and "my projects"."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboard.figures import Scope
from org import roles
from org.models import Place, Unit
from projects.models import chain_models

IndustryChain, _ChainLink = chain_models()

# The first year the bureau's records reach back to; older years have no figures.
FIRST_YEAR = 2018


def default_period(today: datetime.date) -> tuple[int, int]:
    """The last complete month of this year; in January, January itself (the year so far)."""
    if today.month == 1:
        return today.year, 1
    return today.year, today.month - 1


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    month = forms.TypedChoiceField(
        label=_("截至月份"),
        coerce=int,
        required=False,
        choices=[(m, _("%(m)d月底") % {"m": m}) for m in range(1, 13)],
    )
    chain = forms.ModelChoiceField(
        label=_("产业链"),
        queryset=IndustryChain.objects.all(),
        required=False,
        empty_label=_("全部产业链"),
    )
    place = forms.ModelChoiceField(
        label=_("建设地点"),
        queryset=Place.objects.all(),
        required=False,
        empty_label=_("全部地点"),
    )
    unit = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Unit.objects.all(),
        required=False,
        empty_label=_("全部单位"),
    )
    mine = forms.BooleanField(label=_("仅看我包抓的项目"), required=False)

    def __init__(self, data, *, today: datetime.date, **kwargs):
        # Fill in the default period, so the selects show the period the figures cover: the
        # last complete month, or December of a past year asked for without a month.
        data = data.copy()
        default_year, default_month = default_period(today)
        year = data.get("year") or str(default_year)
        data["year"] = year
        if not data.get("month"):
            data["month"] = str(default_month if year == str(today.year) else 12)
        super().__init__(data, **kwargs)
        self.today = today
        self.fields["year"].choices = [
            (y, _("%(y)d年") % {"y": y}) for y in range(today.year, FIRST_YEAR - 1, -1)
        ]

    def clean(self):
        data = super().clean()
        year, month = data.get("year"), data.get("month")
        if year == self.today.year and month and month > self.today.month:
            self.add_error("month", _("不能选择未来的月份。"))
        return data

    def scope(self, user) -> Scope:
        """The scope the valid filters ask for; an invalid or missing one takes its default."""
        data = self.cleaned_data if self.is_valid() else self._valid_part()
        default_year, default_month = default_period(self.today)
        year = data.get("year") or default_year
        month = data.get("month") or (default_month if year == self.today.year else 12)
        if year == self.today.year and month > self.today.month:
            month = default_month
        chain, place, unit = data.get("chain"), data.get("place"), data.get("unit")
        mine = bool(data.get("mine")) and roles.is_leader(user)
        return Scope(
            year=year,
            month=month,
            chain_id=chain.pk if chain else None,
            place_id=place.pk if place else None,
            unit_id=unit.pk if unit else None,
            leader_id=user.pk if mine else None,
        )

    def _valid_part(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
