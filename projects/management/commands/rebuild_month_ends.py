from django.core.management.base import BaseCommand

from projects import month_ends, month_totals


class Command(BaseCommand):
    help = (
        "Forget the stored month-end cards (MonthEnd) so that every closed month is built "
        "again from the history on its next read (with --now, build them all at once), and "
        "sum the month totals (MonthTotal) again from the progress entries. Needed only after "
        "the history or the entries were changed outside the app (a restore of part of it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="build every month at once")

    def handle(self, *args, now=False, **options):
        built = month_ends.rebuild(now=now)
        totals = month_totals.rebuild()
        self.stdout.write(f"月末状态已重建：{built} 个月；月度合计：{totals} 行")
