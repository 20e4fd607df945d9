"""Passwords as 等保2.0 三级 asks: long enough and of several kinds of character, changed by the
person at first login when an admin set them, and an end to API tokens issued before a change."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_CLASSES = (
    ("lower", lambda c: c in string.ascii_lowercase),
    ("upper", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: not c.isalnum()),
)


class ComplexityValidator:
    """At least `min_classes` of: lower-case letters, capitals, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for _name, test in CHARACTER_CLASSES if any(test(c) for c in password))
        if found < self.min_classes:
            raise ValidationError(
                _("密码须至少包含小写字母、大写字母、数字、符号中的%(n)d类。")
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须至少包含小写字母、大写字母、数字、符号中的%(n)d类。") % {
            "n": self.min_classes
        }
