import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.data import generate_demo_report, load_demo
from demo.seeding import SeedDataError, Tally, load_facts
from projects import month_ends, month_totals, watch
from projects.warnings import refresh_staleness


class Command(BaseCommand):
    help = (
        "Load Jinchang's data from seeds/: the facts of the source articles and, unless "
        "--no-demo, the illustrative demo ledger. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo",
            action="store_true",
            help="Only the facts (places, units, enterprises, chains, events), for a real "
            "installation: no demo accounts and no illustrative projects.",
        )

    def handle(self, *args, no_demo=False, **options):
        started = time.monotonic()
        tally = Tally()
        generated = False
        try:
            # One transaction; the attention lists' version is bumped once, at its end, so
            # it is the load's last lock and no writer queues on it behind the whole load.
            with transaction.atomic(), watch.deferred():
                load_facts(tally=tally)
                if not no_demo:
                    generated = load_demo(tally=tally)
                # New history replaces the past: months are built again on first read.
                if generated:
                    month_ends.invalidate()
                # The warnings the rule gives today, whatever the loaded history says (before
                # the totals' table lock: projects first, then the totals, as every filing).
                refresh_staleness()
                # Entries written in bulk: the month totals are summed again from them.
                month_totals.rebuild()
        except SeedDataError as exc:
            raise CommandError(f"种子数据有误：{exc}") from exc
        if not no_demo:
            # After the commit: the report reads what the load wrote.
            report = generate_demo_report(log=self.stdout.write)
            if report is not None:
                tally.created["月调度报告"] += 1
        seconds = time.monotonic() - started
        self.stdout.write(f"load_seeds（{'仅事实数据' if no_demo else '事实数据＋示例数据'}）")
        for line in tally.lines():
            self.stdout.write("  " + line)
        if generated:
            for note in tally.notes:
                self.stdout.write("  " + note)
        if not tally.changed:
            self.stdout.write("  无变化（nothing changed）")
        self.stdout.write(f"  用时 {seconds:.1f} 秒")
