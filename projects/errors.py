"""The domain errors the write services raise beside Django's ValidationError and
PermissionDenied; views and the API turn them into answers."""

from django.utils.translation import gettext as _


class EditConflict(Exception):
    """The project changed since the editor loaded it; `current` is the saved version."""

    def __init__(self, current, message: str | None = None):
        self.current = current
        super().__init__(
            message
            or _("该项目已被他人修改（当前版本 %(v)s），请核对后再保存。") % {"v": current.version}
        )
