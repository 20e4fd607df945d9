"""Install the new beat entries (issue #18): queue again the imports nobody is working on, and
prune the audit trail past its retention.

dispatch.schedule.install_schedule adds only the entries missing by name, so the others and an
admin's edits to them are untouched.
"""

from django.db import migrations

NAMES = ["重新排队中断的导入", "清理过期审计日志"]


def install(apps, schema_editor):
    from dispatch.schedule import install_schedule

    install_schedule(apps)


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_beat_schedule")]

    operations = [migrations.RunPython(install, uninstall)]
