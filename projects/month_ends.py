"""The card at the end of each closed month, kept as rows so the figures join rather than
look the history up per project (see `MonthEnd`).

A closed month's state only changes when its past changes: a back-dated move or creation
(the seeds and demo loaders, an admin correcting the record) or data loaded in bulk. Those
writers call `invalidate`; the next read rebuilds the month from the history with the same
expressions `projects.periods` uses for an open period, so both give the same answer (a
property test holds them equal).
"""

import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects import month_totals, watch
from projects.models import (
    MonthEnd,
    MonthEndBuild,
    MonthlyProgress,
    Project,
    StageChange,
    Version,
)
from projects.stages import ORDER

BATCH = 2000


def month_after(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def rank(field: str):
    """A stage column as its place in the card's order (dropped: -1), for SQL comparisons."""
    return Case(
        *[When(**{field: stage}, then=Value(i)) for i, stage in enumerate(ORDER)],
        default=Value(-1),
        output_field=IntegerField(),
    )


def reached_rank_at(at) -> Subquery:
    """The highest place in the card's order a project's history reached before `at`."""
    moves = (
        StageChange.objects.filter(project_id=OuterRef("pk"), changed_at__lt=at)
        .order_by()
        .values("project_id")
        .annotate(top=Max(rank("to_stage")))
        .values("top")
    )
    return Subquery(moves, output_field=IntegerField())


def ensure(*months: datetime.date) -> None:
    """Make sure the rows of the closed `months` (their first days) are there (one query when
    they are; none without months)."""
    if not months:
        return
    built = set(MonthEndBuild.objects.filter(month__in=months).values_list("month", flat=True))
    for month in dict.fromkeys(months):
        if month not in built:
            build(month)


def build(month: datetime.date) -> int:
    """Compute every project's card at the end of `month` from the history and store it."""
    # periods reads the rows this module keeps, and this module its history expressions.
    from projects.periods import aware, entries_sum, rows_once, stage_at, total_investment_at

    end_at = aware(month_after(month))
    rows = (
        rows_once(Project.objects.all())
        .annotate(
            stage_then=stage_at(end_at),
            total_then=total_investment_at(end_at),
            reached=Coalesce(reached_rank_at(end_at), Value(-1)),
            funds=entries_sum(Q(month__lte=month)),
        )
        .filter(stage_then__isnull=False)
        .values_list("pk", "stage_then", "total_then", "reached", "funds")
    )
    try:
        with transaction.atomic():
            # The marker first: a second process building the same month waits on it, then
            # finds it taken and leaves the rows to this one.
            MonthEndBuild.objects.create(month=month)
            if connection.vendor == "postgresql":
                # Filings wait until the rows are in, then add to them (`progress_saved`): a
                # filing is either in the sums read here or added after, never lost.
                with connection.cursor() as cursor:
                    table = MonthlyProgress._meta.db_table
                    cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
            MonthEnd.objects.filter(month=month).delete()
            MonthEnd.objects.bulk_create(
                (
                    MonthEnd(
                        project_id=pk,
                        month=month,
                        stage=stage,
                        total_investment=total,
                        reached=top,
                        funds_to_date=funds,
                    )
                    for pk, stage, total, top, funds in rows.iterator(chunk_size=BATCH)
                ),
                batch_size=BATCH,
            )
    except IntegrityError:
        return 0
    if connection.vendor == "postgresql":
        # The planner must know the table grew by a month, or it joins 10,000 rows expecting 50.
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{MonthEnd._meta.db_table}"')
    return MonthEnd.objects.filter(month=month).count()


def progress_saved(progress: MonthlyProgress, *, before: tuple | None = None) -> None:
    """Keep the built months' funds to date to a saved entry (`before`: its month, funds and
    completed before a correction). Call inside the entry's transaction."""
    rows = MonthEnd.objects.filter(project_id=progress.project_id)
    if before is not None and before[1]:
        rows.filter(month__gte=before[0]).update(funds_to_date=F("funds_to_date") - before[1])
    if progress.funds_in_place:
        rows.filter(month__gte=progress.month).update(
            funds_to_date=F("funds_to_date") + progress.funds_in_place
        )


def progress_deleted(progress: MonthlyProgress) -> None:
    """Take a deleted entry out of the built months' funds to date."""
    if progress.funds_in_place:
        MonthEnd.objects.filter(project_id=progress.project_id, month__gte=progress.month).update(
            funds_to_date=F("funds_to_date") - progress.funds_in_place
        )


def invalidate(since: datetime.date | None = None) -> None:
    """Forget the months from `since` on (all of them without it): their past changed."""
    builds = MonthEndBuild.objects.all()
    rows = MonthEnd.objects.all()
    if since is not None:
        first = since.replace(day=1)
        builds = builds.filter(month__gte=first)
        rows = rows.filter(month__gte=first)
    builds.delete()
    rows.delete()
    cards_changed()


# --- the version of the closed months' cards -------------------------------------------------

CARDS = "cards"
# What a closed month's figures read from a project's own columns (the rest comes from the
# history): its dates as recorded now, its committed investment and its dimensions.
CARD_DATES = ("signed_on", "started_on")
CARD_FIELDS = (*CARD_DATES, "contracted_investment", "chain_id", "place_id", "unit_id", "leader_id")


def cards_version() -> int:
    """Changes whenever a closed month's cards may have changed."""
    return Version.current(CARDS)


def cards_key(*months: datetime.date) -> str:
    """What the closed `months`' cards are built from: the version, and the builds of their
    rows (a month built again is a new build). The dashboard keeps their counts under it."""
    ensure(*months)
    builds = MonthEndBuild.objects.filter(month__in=months).order_by("month")
    return f"{cards_version()}:{','.join(str(pk) for pk in builds.values_list('pk', flat=True))}"


def cards_changed() -> None:
    """A closed month's cards changed: bump the version (in the writer's transaction, so a
    reader never keeps counts built before the change under the new version)."""
    watch.bump(CARDS)


def snapshot(project: Project) -> dict:
    """The project's columns the closed months' figures read, before a change."""
    return {name: getattr(project, name) for name in CARD_FIELDS}


def project_saved(project: Project, before: dict) -> None:
    """Keep the facts to a project's saved change (`before`: its `snapshot`): its entries
    move to their new month-total rows, and a closed month it changed gets new cards."""
    after = snapshot(project)
    month_totals.project_moved(
        project.pk, month_totals.keys_of(before), month_totals.keys_of(after)
    )
    if _changes_closed_months(project, before, after):
        cards_changed()


def _changes_closed_months(project: Project, before: dict, after: dict) -> bool:
    today = timezone.localdate()
    open_from = today.replace(day=1)  # the first month not closed
    if (today + datetime.timedelta(days=1)).day == 1:
        # The month's last day: this write may commit after midnight, when the month is
        # closed and may already be kept; count it as closed now.
        open_from = month_after(open_from)
    for name in CARD_FIELDS:
        old, new = before[name], after[name]
        if old == new:
            continue
        if name in CARD_DATES:
            # A date after every closed month counts in none of them, before or after.
            if any(day is not None and day < open_from for day in (old, new)):
                return True
        elif project.created_at < aware_month(open_from):
            return True  # the project was on a closed month's card
    return False


def aware_month(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))


def rebuild(*, now: bool = False) -> int:
    """Forget every month; with `now`, build each closed month from the first history row on
    (returns the number built)."""
    invalidate()
    if not now:
        return 0
    first = StageChange.objects.order_by("changed_at").values_list("changed_at", flat=True).first()
    if first is None:
        return 0
    month = timezone.localtime(first).date().replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    count = 0
    while month < this_month:
        build(month)
        month = month_after(month)
        count += 1
    return count
