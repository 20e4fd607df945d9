from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "org"
    verbose_name = _("组织与用户")

    def ready(self):
        from org.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="org.sync_role_permissions")
        # Every write to the database invalidates the kept pages (jinchang/datacache.py).
        from jinchang import datacache

        connection_created.connect(datacache.install, dispatch_uid="jinchang.datacache")
        # A deploy runs migrate: pages kept by the previous release may name its templates
        # and static files.
        post_migrate.connect(datacache.bump, dispatch_uid="jinchang.datacache.deploy")
