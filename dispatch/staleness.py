"""Daily warnings: how long each tracked project has gone without a progress entry.

"Months without progress" counts the whole calendar months that have ended since the last
month with an entry (or since the month the project was recorded, for a project with none).
On 1 June a project last reported in March has gone April and May without progress: 2 months.
The current month is not counted before it ends, since its entry is due during it.

Staleness is stored on Project (a few bulk UPDATEs a day) because lists filter and sort on it;
the other two flags (四个一 missing, an overdue problem) are derived live by
projects.selectors.with_flags. Units are told of projects whose warning got worse and of
problems that went past their deadline, by the notice outbox.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import DispatchSettings, Notice
from dispatch.notices import absolute_url, notify, officers_of
from org.models import Unit
from projects.models import MonthlyProgress, Problem, Project, Staleness
from projects.selectors import month_start
from projects.stages import ACTIVE, Stage

# Worse comes later; a notice goes out only when a project moves up this order.
SEVERITY = [Staleness.FRESH, Staleness.YELLOW, Staleness.RED, Staleness.PROPOSE_DROP]


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def no_progress_for(months: int, today: datetime.date) -> Q:
    """Tracked projects with no entry in the last `months` whole months (and older than that)."""
    cutoff = add_months(month_start(today), -months)
    recent = MonthlyProgress.objects.filter(project_id=OuterRef("pk"), month__gte=cutoff)
    return Q(stage__in=ACTIVE) & Q(created_at__lt=_local_midnight(cutoff)) & ~Q(Exists(recent))


def level_conditions(today: datetime.date, thresholds: DispatchSettings) -> dict[str, Q]:
    """The condition of each staleness value; exactly one holds for every project."""
    yellow = no_progress_for(thresholds.yellow_months, today)
    red = no_progress_for(thresholds.red_months, today)
    drop = no_progress_for(thresholds.drop_months, today) & Q(stage=Stage.RED)
    return {
        Staleness.PROPOSE_DROP: drop,
        Staleness.RED: red & ~drop,
        Staleness.YELLOW: yellow & ~red,
        Staleness.FRESH: ~yellow,
    }


@transaction.atomic
def staleness_compute(
    *, today: datetime.date | None = None, project_ids=None, notify_units: bool = True
) -> dict[str, int]:
    """Set Project.staleness for every project (or `project_ids`); return the changes by value.

    Four UPDATEs whatever the number of projects, each touching only rows whose value changes
    (so the history of an unchanged project is not disturbed). Run again the same day, it
    changes and notifies nothing.
    """
    today = today or timezone.localdate()
    thresholds = DispatchSettings.load()
    projects = Project.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    changes: dict[str, int] = {}
    worse: list[tuple] = []
    for value, condition in level_conditions(today, thresholds).items():
        changing = projects.filter(condition).exclude(staleness=value)
        if value != Staleness.FRESH:
            worse += [
                (row, value)
                for row in changing.values("pk", "code", "name", "unit_id", "staleness")
                if SEVERITY.index(value) > SEVERITY.index(row["staleness"])
            ]
        changes[str(value)] = changing.update(staleness=value)
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
