from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _unit_changed(sender, **kwargs):
    from projects import watch

    watch.changed()


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("招商项目")

    def ready(self):
        # A unit's name and whether it uses a project manager (四个一) show in the dashboard's
        # attention lists; `org` sits below `projects` and cannot bump their version itself.
        for signal in (post_save, post_delete):
            signal.connect(_unit_changed, sender="org.Unit", dispatch_uid=f"watch-unit-{signal}")
