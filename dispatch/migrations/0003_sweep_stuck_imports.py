"""Install the new beat entry that queues again the imports nobody is working on (issue #18).

dispatch.schedule.install_schedule adds only the entries missing by name, so the others and an
admin's edits to them are untouched.
"""

from django.db import migrations

NAME = "重新排队中断的导入"


def install(apps, schema_editor):
    from dispatch.schedule import install_schedule

    install_schedule(apps)


def uninstall(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_beat_schedule")]

    operations = [migrations.RunPython(install, uninstall)]
