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
        import jinchang.checks  # noqa: F401
