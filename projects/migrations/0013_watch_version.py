"""The version of what the dashboard's attention lists read (projects.watch), there from the
start so that concurrent first bumps queue on its row instead of racing to create it."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("projects", "Version").objects.get_or_create(name="watch")


class Migration(migrations.Migration):
    dependencies = [("projects", "0012_leader_protect")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
