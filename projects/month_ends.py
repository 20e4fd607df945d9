"""The card at the end of each closed month, kept as rows so the figures join rather than
look the history up per project (see `MonthEnd`).

A closed month's state only changes when its past changes: a back-dated move or creation
(the seeds and demo loaders, an admin correcting the record) or data loaded in bulk. Those
writers call `invalidate`; the next read rebuilds the month from the history with the same
expressions `projects.periods` uses for an open period, so both give the same answer (a
property test holds them equal).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Max, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects.models import MonthEnd, MonthEndBuild, Project, StageChange
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
    they are)."""
    built = set(MonthEndBuild.objects.filter(month__in=months).values_list("month", flat=True))
    for month in dict.fromkeys(months):
        if month not in built:
            build(month)


def build(month: datetime.date) -> int:
    """Compute every project's card at the end of `month` from the history and store it."""
    # periods reads the rows this module keeps, and this module its history expressions.
    from projects.periods import aware, rows_once, stage_at, total_investment_at

    end_at = aware(month_after(month))
    rows = (
        rows_once(Project.objects.all())
        .annotate(
            stage_then=stage_at(end_at),
            total_then=total_investment_at(end_at),
            reached=Coalesce(reached_rank_at(end_at), Value(-1)),
        )
        .filter(stage_then__isnull=False)
        .values_list("pk", "stage_then", "total_then", "reached")
    )
    try:
        with transaction.atomic():
            # The marker first: a second process building the same month waits on it, then
            # finds it taken and leaves the rows to this one.
            MonthEndBuild.objects.create(month=month)
            MonthEnd.objects.filter(month=month).delete()
            MonthEnd.objects.bulk_create(
                (
                    MonthEnd(
                        project_id=pk, month=month, stage=stage, total_investment=total, reached=top
                    )
                    for pk, stage, total, top in rows.iterator(chunk_size=BATCH)
                ),
                batch_size=BATCH,
            )
    except IntegrityError:
        return 0
    return MonthEnd.objects.filter(month=month).count()


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
