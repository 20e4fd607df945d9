"""A long choice (thousands of investors) as a search box beside a select that holds only what
is chosen: typing asks the server for the matching options (htmx), so a form never carries
the whole list, on a phone or at 10,000 projects."""

from django import forms
from django.urls import reverse_lazy


class SearchSelectMixin:
    template_name = "projects/widgets/search_select.html"
    # How many matches one search returns; a longer list means "type more".
    LIMIT = 30

    # The endpoint answering a search with <option>s (projects.views_work.enterprise_options).
    url = reverse_lazy("projects:enterprise_options")

    def optgroups(self, name, value, attrs=None):
        # Only the chosen options: the field's queryset still validates any id posted.
        chosen = [v for v in value if v not in ("", None)]
        queryset = self.choices.queryset.filter(pk__in=chosen) if chosen else []
        options = [
            self.create_option(name, obj.pk, str(obj), True, index, attrs=attrs)
            for index, obj in enumerate(queryset)
        ]
        return [(None, options, 0)] if options else []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = str(self.url)
        return context


class SearchSelect(SearchSelectMixin, forms.Select):
    pass


class SearchSelectMultiple(SearchSelectMixin, forms.SelectMultiple):
    pass
