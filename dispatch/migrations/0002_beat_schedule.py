"""Install the beat schedule of monthly dispatch (reminders, warnings, the report, retries).

Calls dispatch.schedule, which adds only the tasks missing by name: an admin's later edits to a
day or an hour survive any re-run, and a later schedule entry is installed by a new migration
calling the same function.
"""

from django.db import migrations


def install(apps, schema_editor):
    from dispatch.schedule import install_schedule

    install_schedule(apps)


def uninstall(apps, schema_editor):
    from dispatch.schedule import uninstall_schedule

    uninstall_schedule(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
