import time

from django.core.management.base import BaseCommand

from demo import scale_data
from projects import month_ends, month_totals
from projects.warnings import refresh_staleness


class Command(BaseCommand):
    help = "Build a deterministic province-sized data set for the benchmark (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=10000)
        parser.add_argument("--months", type=int, default=60)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--clear", action="store_true", help="only remove the scale data")

    def handle(self, *args, projects, months, seed, clear, **options):
        started = time.monotonic()
        if clear:
            scale_data.clear()
            month_ends.invalidate()
            month_totals.rebuild()
            self.stdout.write("scale data removed")
            return
        scale_data.build(projects=projects, months=months, seed=seed, log=self.stdout.write)
        # Bulk-written history: months are built again on first read, warnings are today's.
        month_ends.invalidate()
        month_totals.rebuild()
        refresh_staleness()
        scale_data.analyze()
        self.stdout.write(f"done in {time.monotonic() - started:.1f}s")
