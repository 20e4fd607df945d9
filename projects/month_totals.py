"""Each month's funds in place and investment completed per dimension (`MonthTotal`), kept
in the same transaction as the entries they sum, so the figures read a few hundred rows
instead of every progress entry.

Equality kept: for every month, dimension and key, the row equals the sum of the progress
entries of that month over the projects whose chain (place, unit, leader) is that key now
(`rebuild` computes exactly that; a property test holds the kept rows to it after random
filings and edits).

Writers:
- `progress_saved` (the progress service, for every entry created or corrected) adds the
  entry's change to its month's rows of the project's dimensions; `progress_deleted` takes a
  deleted entry out (an import collects its changes and adds them at its end: `deferred`);
- `project_moved` (the project service, when a chain, place, unit or leader changes) moves
  the project's entries from the old rows to the new;
- `rebuild` (the loaders, `rebuild_month_ends`) recomputes
  everything under a table lock, so no filing made meanwhile is lost.

They are first summed by the migration that adds them (0009).
"""

import datetime
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum

from projects import watch
from projects.models import MonthlyProgress, MonthTotal, Project

# Each dimension and the project field it groups by (None: the whole city).
DIMENSIONS = {
    MonthTotal.Dimension.ALL: None,
    MonthTotal.Dimension.CHAIN: "chain_id",
    MonthTotal.Dimension.PLACE: "place_id",
    MonthTotal.Dimension.UNIT: "unit_id",
    MonthTotal.Dimension.LEADER: "leader_id",
}
ZERO = Decimal("0")


def keys_of(project: Project | dict) -> dict[str, int]:
    """The row key of each dimension for a project or its columns' values (0: not filled in;
    the city: 0)."""
    values = project if isinstance(project, dict) else vars(project)
    return {
        dimension: (values.get(field) or 0) if field else 0
        for dimension, field in DIMENSIONS.items()
    }


def _add(month, dimension, key, funds, completed, entries) -> None:
    """Add to one row, creating it if it is not there yet (a race for it retries the add)."""
    cell = MonthTotal.objects.filter(month=month, dimension=dimension, key=key)
    change = {
        "funds_in_place": F("funds_in_place") + funds,
        "investment_completed": F("investment_completed") + completed,
        "entries": F("entries") + entries,
    }
    if cell.update(**change):
        return
    try:
        with transaction.atomic():
            MonthTotal.objects.create(
                month=month,
                dimension=dimension,
                key=key,
                funds_in_place=funds,
                investment_completed=completed,
                entries=entries,
            )
    except IntegrityError:
        cell.update(**change)


_pending = threading.local()


@contextmanager
def deferred():
    """Collect the changes of many writes in one transaction and add them once, sorted, when
    the block ends (an import's commit): the shared rows (the city's month) are then locked
    for moments, not for the whole import, and imports take them in the same order. The
    attention lists' version (`projects.watch`) is bumped once, after them."""
    if getattr(_pending, "changes", None) is not None:
        yield  # already collecting: the outer block adds them
        return
    _pending.changes = {}
    # The attention lists' version is bumped once, after the totals: last, as every writer.
    with watch.deferred():
        try:
            yield
            changes = _pending.changes
        finally:
            _pending.changes = None
        _apply(changes)


def _apply(changes: dict) -> None:
    """Add {(month, dimension, key): [funds, completed, entries]} to the rows, in one order
    for every writer (month, dimension, key), so two writers never wait on each other's rows
    in a circle. Inside `deferred`, the changes wait for the end of the block."""
    collecting = getattr(_pending, "changes", None)
    if collecting is not None:
        for cell, (funds, completed, entries) in changes.items():
            _tally(collecting, *cell, funds, completed, entries)
        return
    for (month, dimension, key), (funds, completed, entries) in sorted(changes.items()):
        if funds or completed or entries:
            _add(month, dimension, key, funds, completed, entries)


def _tally(changes: dict, month, dimension, key, funds, completed, entries) -> None:
    row = changes.setdefault((month, dimension, key), [ZERO, ZERO, 0])
    row[0] += funds
    row[1] += completed
    row[2] += entries


def progress_deleted(progress: MonthlyProgress) -> None:
    """Take an entry out of its month's rows, before it is deleted."""
    changes: dict = {}
    for dimension, key in keys_of(progress.project).items():
        _tally(
            changes,
            progress.month,
            dimension,
            key,
            -progress.funds_in_place,
            -progress.investment_completed,
            -1,
        )
    _apply(changes)


def progress_saved(progress: MonthlyProgress, *, before: tuple | None = None) -> None:
    """Add a saved entry to its month's rows; `before` is its (month, funds, completed) before
    a correction (None: a new entry). Call inside the entry's transaction."""
    keys = keys_of(progress.project)
    changes: dict = {}
    if before is not None:
        month, funds, completed = before
        for dimension, key in keys.items():
            _tally(changes, month, dimension, key, -funds, -completed, -1)
    for dimension, key in keys.items():
        _tally(
            changes,
            progress.month,
            dimension,
            key,
            progress.funds_in_place,
            progress.investment_completed,
            1,
        )
    _apply(changes)


def project_moved(project_id: int, before: dict[str, int], after: dict[str, int]) -> None:
    """Move a project's entries to the rows of its new chain, place, unit or leader (the keys
    from `keys_of` before and after the change). Call inside the change's transaction."""
    changed = [d for d in DIMENSIONS if before[d] != after[d]]
    if not changed:
        return
    rows = MonthlyProgress.objects.filter(project_id=project_id).values_list(
        "month", "funds_in_place", "investment_completed"
    )
    changes: dict = {}
    for month, funds, completed in rows:
        for dimension in changed:
            _tally(changes, month, dimension, before[dimension], -funds, -completed, -1)
            _tally(changes, month, dimension, after[dimension], funds, completed, 1)
    _apply(changes)


@transaction.atomic
def rebuild() -> int:
    """Recompute every row from the entries (returns the number of rows), and bump the
    attention lists' version (`projects.watch`)."""
    if connection.vendor == "postgresql":
        # Filings wait until the rows are rebuilt, then add to them: none is counted twice
        # or lost. (SQLite has one writer at a time anyway.)
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{MonthTotal._meta.db_table}" IN EXCLUSIVE MODE')
    MonthTotal.objects.all().delete()
    rows = []
    for dimension, field in DIMENSIONS.items():
        group = f"project__{field}" if field else None
        sums = (
            MonthlyProgress.objects.order_by()
            .values_list("month", *([group] if group else []))
            .annotate(
                funds=Sum("funds_in_place"),
                completed=Sum("investment_completed"),
                entries=Count("id"),
            )
        )
        for row in sums:
            month, key = row[0], (row[1] or 0) if group else 0
            rows.append(
                MonthTotal(
                    month=month,
                    dimension=dimension,
                    key=key,
                    funds_in_place=row[-3],
                    investment_completed=row[-2],
                    entries=row[-1],
                )
            )
    MonthTotal.objects.bulk_create(rows, batch_size=2000)
    # Every bulk load (the loaders, rebuild_month_ends) ends here: what the dashboard's
    # attention lists read changed with it.
    watch.changed()
    return len(rows)


def totals(
    dimension: str | Iterable[str],
    first: datetime.date,
    last: datetime.date,
    keys: Iterable[int] | None = None,
):
    """The kept rows of a dimension (or several) for the months `first`..`last`."""
    rows = MonthTotal.objects.filter(month__gte=first, month__lte=last)
    if isinstance(dimension, str):
        rows = rows.filter(dimension=dimension)
    else:
        rows = rows.filter(dimension__in=list(dimension))
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    return rows
