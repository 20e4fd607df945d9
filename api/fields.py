"""The API's own fields: months both ways, text refused with control characters, labels and
ids read once per list rather than once per row."""

import datetime
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# A month of this century: the records start in 2000 (projects.services.EARLIEST_MONTH).
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
MONTH_MESSAGE = _("月份格式应为 YYYY-MM（2000年及以后），例如 2025-05。")


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2025-05"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM" both ways; stored as the first day of the month."""

    default_error_messages = {"invalid": MONTH_MESSAGE}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MONTH_PATTERN, data):
            self.fail("invalid")
        year, month = data.split("-")
        return datetime.date(int(year), int(month), 1)

    def to_representation(self, value):
        return f"{value.year:04d}-{value.month:02d}"


# C0 control characters other than tab and line breaks: nobody types them, a broken client
# sends them, and spreadsheets and Word cannot hold them (the exports would fail on them).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def no_control_characters(value):
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise serializers.ValidationError(_("不能包含控制字符。"))


class CalledField(serializers.CharField):
    """Read-only text from a method of the row: `source="unit.__str__"`. Called directly:
    DRF's own path inspects the method's signature for every row, which cost more than the
    rest of a 100-row list page together."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        *path, method = self.source_attrs
        for name in path:
            instance = getattr(instance, name)
            if instance is None:
                return None
        return getattr(instance, method)()


class LabelField(serializers.CharField):
    """Read-only: the label of a choice field's value, as `get_stage_display()` gives it
    (`LabelField(source="stage")`). The labels are translated once per serializer, not per
    row: `get_FOO_display` translates every choice of the field again for each row."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        labels = self.__dict__.get("labels")
        if labels is None:
            field = self.parent.Meta.model._meta.get_field(self.source)
            labels = self.labels = {key: str(label) for key, label in field.flatchoices}
        return labels.get(value, value)


class MemberIdsField(serializers.ManyRelatedField):
    """A many-to-many field of ids, read from the ids `selectors.with_member_ids` put on the
    row (`team_ids`) where it did, else from the relation. Written as DRF's own."""

    def __init__(self, queryset, label=None, **kwargs):
        child = serializers.PrimaryKeyRelatedField(queryset=queryset, label=label)
        super().__init__(child_relation=child, label=label, **kwargs)

    def get_attribute(self, instance):
        ids = getattr(instance, f"{self.source}_ids", None)
        if ids is None:
            ids = [member.pk for member in super().get_attribute(instance)]
        return ids

    def to_representation(self, iterable):
        return list(iterable)


class CleanText:
    """Every text a serializer takes is refused with a field error if it holds control
    characters."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                field.validators.append(no_control_characters)
        return fields
