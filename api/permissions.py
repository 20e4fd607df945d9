"""Who may call what, asked of `org.roles` (the one place with the rules; nothing new here).

These checks run before the request body is read, so a leader posting a project gets 403, not a
list of field errors. The services check again (they serve the pages and the import too), so a
write allowed here can still be refused there, e.g. an officer moving a project to another unit.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from org import roles


def writes_projects(user) -> bool:
    """An officer of a unit or an admin: the roles that enter and keep projects current."""
    return roles.can_create_project(user)


def sees_contacts(user) -> bool:
    """Enterprise contacts are personal data, shown to the staff who keep the enterprises."""
    return roles.can_maintain_shared_lists(user)


class RoleAccess(BasePermission):
    """Every role reads (roles.can_view); anonymous users and users without a role get nothing.

    Subclasses say who writes; by default nobody does through the API.
    """

    message = _("您没有权限执行此操作。")

    def has_permission(self, request, view):
        if not roles.can_view(request.user):
            return False
        if request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            # A method the endpoint does not offer answers 405, whoever asks.
            return True
        return self.may_write(request.user)

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or self.may_write_object(request.user, obj)

    def may_write(self, user) -> bool:
        return False

    def may_write_object(self, user, obj) -> bool:
        return True


class ReadOnly(RoleAccess):
    pass


class ProjectAccess(RoleAccess):
    """Officers write their own unit's projects, admins all, leaders read."""

    def may_write(self, user):
        return writes_projects(user)

    def may_write_object(self, user, obj):
        return roles.can_edit_project(user, obj)


class ProjectWorkAccess(RoleAccess):
    """Monthly progress is filed by the project's "四个一" team (its unit's officers, task
    force and manager) and admins."""

    def may_write(self, user):
        return roles.files_work(user)

    def may_write_object(self, user, obj):
        return roles.can_work_on_project(user, obj.project)


class InstructionAccess(RoleAccess):
    """Leaders (and admins) give 批示; the unit a 批示 names answers it (the reply action)."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "reply":
            return roles.can_view(request.user)
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj):
        if getattr(view, "action", None) == "reply":
            return roles.can_answer_instruction(request.user, obj)
        return super().has_object_permission(request, view, obj)

    def may_write(self, user):
        return roles.can_instruct(user)


class EnterpriseAccess(RoleAccess):
    def may_write(self, user):
        return roles.can_maintain_shared_lists(user)


class ReportAccess(RoleAccess):
    """Every role reads and downloads the monthly reports; admins request them."""

    def may_write(self, user):
        return roles.can_manage_reports(user)


class ProblemAccess(RoleAccess):
    """Blockers are raised by the project's "四个一" team, and cleared by the project's unit,
    the unit asked to clear them, or admins."""

    def may_write(self, user):
        return roles.files_work(user)

    def may_write_object(self, user, obj):
        return roles.can_resolve_problem(user, obj)
