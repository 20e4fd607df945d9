from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from org import roles
from org.models import Place, Unit, User


def _admin_role_only(request):
    """The Django admin writes models directly, past the services' unit rules: admins only,
    even if someone ticks "staff" on an officer or a leader."""
    return request.user.is_active and request.user.is_staff and roles.is_admin(request.user)


admin.site.has_permission = _admin_role_only
_admin_login = admin.site.login


def _login_or_refuse(request, extra_context=None):
    """Someone logged in without the admin role is told so, not shown the admin's login form
    (which reads as if their password had failed)."""
    if request.user.is_authenticated and not _admin_role_only(request):
        role = roles.ROLE_LABELS.get(roles.role_of(request.user))
        raise PermissionDenied(
            _("管理后台只对系统管理员开放（您的角色：%(role)s），请使用前台页面。")
            % {"role": role or _("未分配角色")}
        )
    return _admin_login(request, extra_context)


admin.site.login = _login_or_refuse
admin.site.site_header = _("金昌市招商引资项目管理系统")
admin.site.site_title = _("招商项目管理")
admin.site.index_title = _("系统管理")


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "order", "is_illustrative"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "uses_project_manager", "robot_kind", "order"]
    list_filter = ["uses_project_manager", "robot_kind"]
    search_fields = ["name", "short_name"]


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password set in the admin is a temporary one: its holder changes it at first login."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = ResetPasswordForm
    list_display = ["username", "full_name", "unit", "title", "is_active", "is_staff"]
    list_filter = ["groups", "unit", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("单位与职务"), {"fields": ("full_name", "unit", "title", "phone", "is_illustrative")}),
        (_("密码策略"), {"fields": ("must_change_password", "password_changed_at")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("单位与职务"), {"fields": ("full_name", "unit", "title")}),
    )
    readonly_fields = ["password_changed_at"]

    def save_model(self, request, obj, form, change):
        # A new account's password was chosen by the admin, not by its holder.
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
