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
- a unit's save or deletion (its name, whether it uses a project manager) and a user's
  deletion (a manager or a team member gone), by signal, since `org` sits below `projects`;
- the loaders and `rebuild_month_ends`, through `month_totals.rebuild`.

A closed month's cards are keyed apart (`month_ends.cards_key`), and the day is part of the key
(a deadline passes at midnight). Bumped last, the version row (created by migration 0013) is
the last lock a writer takes, so two writers never wait on each other in a circle; an import
bumps it once, at its end (`deferred`, which `month_totals.deferred` and the loaders use).
"""

import threading
from contextlib import contextmanager

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
    return Version.current(WATCH)


def snapshot(project: Project) -> tuple:
    return tuple(getattr(project, name) for name in WATCHED)


def changed() -> None:
    """What the lists read may have changed: bump the version, in the writer's transaction (a
    reader never keeps lists built before the change under the new version)."""
    bump(WATCH)


def bump(name: str) -> None:
    """Bump a version (this one, or the closed months' cards'); inside `deferred` (an import,
    a loader), at the end of the block."""
    held = getattr(_pending, "held", None)
    if held is not None:
        held.add(name)
        return
    Version.bump(name)


@contextmanager
def deferred():
    """Hold the version bumps of a long transaction (an import, a loader) back to the end of
    the block, then bump each once: the version rows are then its last locks, taken for
    moments, and the writers that bump meanwhile do not queue behind the whole load."""
    if getattr(_pending, "held", None) is not None:
        yield  # already holding: the outer block bumps
        return
    _pending.held = set()
    try:
        yield
        held = _pending.held
    finally:
        _pending.held = None
    for name in sorted(held):  # one order for every writer
        Version.bump(name)
