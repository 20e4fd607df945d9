"""The audit trail (安全审计, 等保2.0 三级): who did what, when, from which address.

Rows are only ever added. The model refuses to save an existing row or to delete one, the admin
offers no add, change or delete, and the only removal is audit.services.audit_prune, which keeps
at least AUDIT_RETENTION_DAYS (180 or more) of history.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are never changed")

    def delete(self):
        raise AppendOnlyError("audit entries are removed only by audit.services.audit_prune")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        LOCKED_OUT = "locked_out", _("登录锁定")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")

    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as written: the name tried in a failed login, or a user's name after the user is gone.
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # {"字段": ["旧值", "新值"]} for a change; the reason or the admin's message under "说明".
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            # The list is newest first, filtered by time range; pruning deletes by age.
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            models.Index(fields=["user", "-at"], name="audit_user_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are removed only by audit.services.audit_prune")

    def change_lines(self):
        """(field, old, new) per change; old is None for a note such as the reason."""
        for field, value in self.changes.items():
            if isinstance(value, list) and len(value) == 2:
                yield field, value[0], value[1]
            else:
                yield field, None, value
