"""Select boxes rendered in Python rather than through Django's widget templates.

Django renders every <option> through a template include, about 0.1 ms each; the project
list's filters have some 120 options (the chain-link select alone has 60), which made the
filter box a third of the list page's time. The HTML is the same as Django's: the select's
attributes (id, name, required, multiple…), then each option with its value, `selected` and
label, escaped, inside an <optgroup> where the choices have groups.
"""

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

_SELECTED = mark_safe(" selected")


def _render(widget, name, value, attrs=None, renderer=None):
    context = widget.get_context(name, value, attrs)["widget"]
    groups = []
    for group_name, options, _index in context["optgroups"]:
        html = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    "" if option["value"] is None else option["value"],
                    _SELECTED if option["selected"] else "",
                    option["label"],
                )
                for option in options
            ),
        )
        if group_name:
            html = format_html('<optgroup label="{}">{}</optgroup>', group_name, html)
        groups.append(html)
    return format_html(
        '<select name="{}"{}>{}</select>',
        context["name"],
        flatatt(context["attrs"]),
        mark_safe("".join(groups)),
    )


class QuickSelect(forms.Select):
    render = _render


class QuickSelectMultiple(forms.SelectMultiple):
    render = _render


_QUICK = {forms.Select: QuickSelect, forms.SelectMultiple: QuickSelectMultiple}


def quicken(form: forms.BaseForm) -> forms.BaseForm:
    """Swap the form's plain selects for the quick ones (same attributes, same choices)."""
    for field in form.fields.values():
        quick = _QUICK.get(type(field.widget))
        if quick is None:
            continue
        widget = quick(attrs=field.widget.attrs)
        widget.choices = field.widget.choices
        widget.is_required = field.widget.is_required
        widget.is_localized = field.widget.is_localized
        field.widget = widget
    return form


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose form renders its selects quickly."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            quicken(super().form)
        return self._form
