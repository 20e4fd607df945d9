"""Writing the audit trail, and the one way entries leave it (pruning by age)."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEntry

logger = logging.getLogger(__name__)

# A value in the trail is for reading, not restoring: long texts are cut.
VALUE_LIMIT = 200


def client_address(request) -> str | None:
    """The address django-axes worked out (it honours the proxy settings), else the socket's."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def audit_record(
    *,
    action: str,
    request=None,
    user=None,
    username: str = "",
    obj=None,
    object_type: str = "",
    object_id="",
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    """Add one entry. `user` defaults to the request's signed-in user."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    return AuditEntry.objects.create(
        action=action,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=client_address(request),
        object_type=object_type[:100],
        object_id=str(object_id or "")[:64],
        object_repr=short(object_repr),
        changes=changes or {},
    )


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def audit_prune() -> int:
    """Remove the entries older than the retention (at least 180 days); return how many.

    The trail's own delete() refuses; this is the one removal, by age only.
    """
    old = AuditEntry.objects.filter(at__lt=timezone.now() - retention())
    # QuerySet.delete is refused on the trail (AuditQuerySet); the raw delete is its base.
    removed = old._raw_delete(old.db)
    if removed:
        logger.info("audit: pruned %s entries older than %s days", removed, retention().days)
    return removed
