"""The version of what the dashboard's attention lists read (需关注): the projects' warnings,
names, cards and 四个一, their teams, the problems, the units, the month's moves.

The lists cost a pass over every live project, a third of the dashboard, while most writes of
a working day change nothing of them: a filing, a correction, a form saved unchanged. So the
lists are kept in the shared cache under this version (`dashboard.attention`), and every write
that may change them bumps it, last in its transaction:

- the project services: a creation, a move on the card, an update that changes a field of
  `WATCHED` or the team;
- `warnings.refresh_staleness`, when a warning changes (a filing, a move, the daily run);
- the problem services (raising, correcting, resolving) and the admin's deletion of problems;
- a unit's save or deletion (its name, whether it uses a project manager), by signal, since
  `org` sits below `projects`;
- the loaders, through `month_ends.invalidate`.

A closed month's cards are keyed apart (`month_ends.cards_key`), and the day is part of the key
(a deadline passes at midnight). Bumped last, the version row (created by migration 0013) is
the last lock a writer takes, so two writers never wait on each other in a circle; an import
bumps it once, at its end (`month_totals.deferred`).
"""

import threading

from projects.models import Project, Version

WATCH = "watch"
# The project's columns the lists read: shown (name, code, unit), filtered on (the scope's
# dimensions, the card as it stands), or flagged on (warning, 四个一).
WATCHED = (
    "name",
    "code",
    "stage",
    "total_investment",
    "staleness",
    "chain_id",
    "place_id",
    "unit_id",
    "leader_id",
    "manager_id",
)

_pending = threading.local()


def version() -> int:
    return Version.objects.filter(name=WATCH).values_list("value", flat=True).first() or 0


def snapshot(project: Project) -> tuple:
    return tuple(getattr(project, name) for name in WATCHED)


def changed() -> None:
    """What the lists read may have changed: bump the version, in the writer's transaction (a
    reader never keeps lists built before the change under the new version). Inside
    `month_totals.deferred` (an import) the bump waits for the end of the block."""
    if getattr(_pending, "collecting", False):
        _pending.bumped = True
        return
    Version.bump(WATCH)


def collect() -> None:
    """Start holding bumps back (the start of `month_totals.deferred`)."""
    _pending.collecting, _pending.bumped = True, False


def release() -> bool:
    """Stop holding bumps back; whether one was held (the end of `month_totals.deferred`)."""
    bumped = getattr(_pending, "bumped", False)
    _pending.collecting, _pending.bumped = False, False
    return bumped
