"""Daily warnings: the staleness rule (projects.warnings) applied today, and the notices.

Staleness is stored on Project (a few bulk UPDATEs a day) because lists filter and sort on it;
the other two flags (四个一 missing, an overdue problem) are derived live by
projects.selectors.with_flags. Units are told of projects whose warning got worse and of
problems that went past their deadline, by the notice outbox.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import Notice
from dispatch.notices import absolute_url, notify, officers_of
from org.models import Unit
from projects.models import Problem, Staleness
from projects.warnings import refresh_staleness


@transaction.atomic
def staleness_compute(
    *, today: datetime.date | None = None, project_ids=None, notify_units: bool = True
) -> dict[str, int]:
    """The daily run: refresh every project's warning (projects.warnings) and tell the units
    of warnings that got worse and problems that went past their deadline. Run again the same
    day, it changes and notifies nothing."""
    today = today or timezone.localdate()
    changes, worse = refresh_staleness(today=today, project_ids=project_ids)
    if notify_units:
        _notify_warnings(today, worse)
    return changes


def _notify_warnings(today: datetime.date, worse: list[tuple]) -> None:
    """One notice per unit and day: projects whose warning got worse, problems now overdue."""
    lines: dict[int, list[str]] = defaultdict(list)
    for row, value in worse:
        lines[row["unit_id"]].append(
            _("%(code)s %(name)s：%(flag)s")
            % {"code": row["code"], "name": row["name"], "flag": Staleness(value).label}
        )
    # A problem is overdue from the day after its deadline.
    newly_overdue = Problem.objects.open().filter(deadline=today - datetime.timedelta(days=1))
    for problem in newly_overdue.select_related("project"):
        lines[problem.unit_id].append(
            _("%(project)s：问题“%(problem)s”已超过办结时限（%(deadline)s）")
            % {
                "project": problem.project.name,
                "problem": problem.description[:40],
                "deadline": problem.deadline.isoformat(),
            }
        )
    if not lines:
        return
    units = Unit.objects.in_bulk(list(lines))
    officers = officers_of(list(lines))
    link = absolute_url(reverse("dispatch:reports"))
    for unit_id, unit_lines in lines.items():
        unit = units[unit_id]
        notify(
            kind=Notice.Kind.WARNING,
            key=f"warning:{today.isoformat()}:{unit_id}",
            subject=_("项目预警提示（%(unit)s，%(day)s）")
            % {"unit": unit, "day": today.isoformat()},
            body=_("以下项目出现新的预警，请及时推进并填报进展：")
            + "\n"
            + "\n".join(f"- {line}" for line in unit_lines),
            link=link,
            users=officers.get(unit_id, []),
            units=[unit],
        )
