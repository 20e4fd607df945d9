from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _org_changed(sender, **kwargs):
    from projects import watch

    watch.changed()


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("招商项目")

    def ready(self):
        # A unit's name and whether it uses a project manager (四个一) show in the dashboard's
        # attention lists, and a deleted user leaves a project without its manager or a team
        # member (SET_NULL and the team's cascade write no signal of the project's own);
        # `org` sits below `projects` and cannot bump their version itself.
        for signal in (post_save, post_delete):
            signal.connect(_org_changed, sender="org.Unit", dispatch_uid=f"watch-unit-{signal}")
        post_delete.connect(_org_changed, sender="org.User", dispatch_uid="watch-user-deleted")
