"""Sum the month totals from the entries already filed, forget the month-end rows built
before they carried funds to date (they are built again on first read), and start the closed
months' cards version."""

from django.db import migrations
from django.db.models import Count, Sum

FIELDS = {"all": None, "chain": "chain_id", "place": "place_id", "unit": "unit_id", "leader": "leader_id"}


def fill(apps, schema_editor):
    MonthlyProgress = apps.get_model("projects", "MonthlyProgress")
    MonthTotal = apps.get_model("projects", "MonthTotal")
    apps.get_model("projects", "MonthEnd").objects.all().delete()
    apps.get_model("projects", "MonthEndBuild").objects.all().delete()
    MonthTotal.objects.all().delete()
    rows = []
    for dimension, field in FIELDS.items():
        group = [f"project__{field}"] if field else []
        sums = (
            MonthlyProgress.objects.order_by()
            .values_list("month", *group)
            .annotate(Sum("funds_in_place"), Sum("investment_completed"), Count("id"))
        )
        for row in sums:
            rows.append(
                MonthTotal(
                    month=row[0],
                    dimension=dimension,
                    key=(row[1] or 0) if field else 0,
                    funds_in_place=row[-3],
                    investment_completed=row[-2],
                    entries=row[-1],
                )
            )
    MonthTotal.objects.bulk_create(rows, batch_size=2000)
    # The closed months' cards version, there from the start so concurrent first bumps queue.
    apps.get_model("projects", "Version").objects.get_or_create(name="cards")


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_month_end_funds_to_date")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
