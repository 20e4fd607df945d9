"""What goes into the audit trail, caught where it happens for every path alike.

- Logins, failed logins and logouts: django.contrib.auth's signals (the login page, the admin's
  login and the API's token endpoint all send them); lockouts: django-axes' signal; a person
  changing their own password: the password change page (org.views).
- Changes to the tracked data (projects, progress, problems, instructions, enterprises, chain
  links …): django-simple-history writes a historical row for each, whoever makes the change
  (page, API, import, command); each row is mirrored here with the address of the request and
  the fields that changed.
- Everything else changed in the Django admin (users, roles, units, places, reference data):
  the admin's own LogEntry, mirrored likewise.

Signals rather than calls in each service: the trail must catch every path, including ones
added later, and must never depend on a view remembering to call it.
"""

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from audit import services
from audit.models import AuditEntry
from org.signals import password_changed

HISTORY_ACTIONS = {"+": AuditEntry.Action.CREATE, "~": AuditEntry.Action.UPDATE}
ADMIN_ACTIONS = {
    ADDITION: AuditEntry.Action.CREATE,
    CHANGE: AuditEntry.Action.UPDATE,
    DELETION: AuditEntry.Action.DELETE,
}


def _current_request():
    return getattr(HistoricalRecords.context, "request", None)


def on_login(sender, request, user, **kwargs):
    services.audit_record(action=AuditEntry.Action.LOGIN, request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    services.audit_record(
        action=AuditEntry.Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    services.audit_record(
        action=AuditEntry.Action.LOCKED_OUT, request=request, username=str(username or "")
    )


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        services.audit_record(action=AuditEntry.Action.LOGOUT, request=request, user=user)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field the historical model has that the model does not
        return name


def on_history(sender, instance, history_instance, history_user=None, **kwargs):
    action = HISTORY_ACTIONS.get(history_instance.history_type, AuditEntry.Action.DELETE)
    changes = {}
    if action == AuditEntry.Action.UPDATE:
        previous = history_instance.prev_record
        if previous is not None:
            for change in history_instance.diff_against(previous).changes:
                changes[_label(type(instance), change.field)] = [
                    services.short(change.old),
                    services.short(change.new),
                ]
    reason = getattr(history_instance, "history_change_reason", None)
    if reason:
        changes["说明"] = services.short(reason)
    services.audit_record(
        action=action,
        request=_current_request(),
        user=history_user,
        obj=instance,
        changes=changes,
    )


def on_admin_log(sender, instance: LogEntry, created, **kwargs):
    if not created:
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    if model is not None and hasattr(model, "history"):
        return  # its history row is mirrored already, with the fields that changed
    services.audit_record(
        action=ADMIN_ACTIONS.get(instance.action_flag, AuditEntry.Action.UPDATE),
        request=_current_request(),
        user=instance.user,
        object_type=model._meta.label_lower if model is not None else "",
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        changes={"说明": services.short(instance.get_change_message())},
    )


def on_password_change(sender, request, user, **kwargs):
    services.audit_record(action=AuditEntry.Action.PASSWORD_CHANGE, request=request, user=user)


def connect():
    user_logged_in.connect(on_login, dispatch_uid="audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="audit.logout")
    password_changed.connect(on_password_change, dispatch_uid="audit.password_change")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
    post_create_historical_record.connect(on_history, dispatch_uid="audit.history")
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid="audit.admin_log")
