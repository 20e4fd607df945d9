from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("组织与用户")

    def ready(self):
        from org.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="org.sync_role_permissions")
        # Deployment checks of the project as a whole (check --deploy).
        # Issue #18: a session starts active at login (the idle timeout counts from there).
        from django.contrib.auth.signals import user_logged_in

        import jinchang.checks  # noqa: F401
        from org.middleware import mark_session_active

        user_logged_in.connect(mark_session_active, dispatch_uid="org.mark_session_active")
