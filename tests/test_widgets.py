"""The quick selects (jinchang/widgets.py) write the same HTML as Django's own."""

import pytest
from django import forms
from django.test.html import parse_html

from jinchang.widgets import QuickSelect, QuickSelectMultiple, quicken
from org.models import Unit
from projects.filters import ProjectFilter
from tests import factories

GROUPED = [
    ("", "全部"),
    ("新能源", [("1", "锂电池"), ("2", "光伏<组件>")]),
    ("3", "有色金属 & 新材料"),
]


@pytest.mark.parametrize(
    "django_widget, quick_widget, value",
    [
        (forms.Select, QuickSelect, "2"),
        (forms.Select, QuickSelect, None),
        (forms.SelectMultiple, QuickSelectMultiple, ["1", "3"]),
    ],
)
def test_a_quick_select_renders_what_django_renders(django_widget, quick_widget, value):
    attrs = {"id": "id_chain", "required": True, "class": "wide"}
    expected = django_widget(attrs=attrs, choices=GROUPED).render("chain", value)
    got = quick_widget(attrs=attrs, choices=GROUPED).render("chain", value)

    assert parse_html(got) == parse_html(expected)
    assert "光伏&lt;组件&gt;" in got  # labels are escaped


@pytest.mark.django_db
def test_model_choices_render_the_same_and_filters_use_quick_selects():
    for name in ("甲单位", "乙单位"):
        factories.UnitFactory(name=name)
    field = forms.ModelChoiceField(queryset=Unit.objects.order_by("name"), required=False)
    unit = Unit.objects.order_by("name").first()

    class Form(forms.Form):
        unit = field

    plain = Form({"unit": unit.pk})
    quick = quicken(Form({"unit": unit.pk}))

    assert isinstance(quick.fields["unit"].widget, QuickSelect)
    assert parse_html(str(quick["unit"])) == parse_html(str(plain["unit"]))
    assert isinstance(ProjectFilter({}).form.fields["unit"].widget, QuickSelect)
