"""Progress reminders (the 20th and the 25th by default): each unit's officers get the list of
their projects still missing this month's progress entry, by email and by the unit's robot."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import Notice
from dispatch.notices import absolute_url, notify, officers_of
from org.models import Unit
from projects.models import Project
from projects.selectors import month_start, progress_filed_q
from projects.stages import ACTIVE


def missing_progress(month: datetime.date):
    """Tracked projects with no progress entry for `month`, by unit."""
    return (
        Project.objects.filter(stage__in=ACTIVE)
        .filter(~progress_filed_q(month))
        .order_by("unit_id", "-total_investment", "id")
    )


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> dict[int, int]:
    """Write the reminders of `today`; return {unit id: number of projects missing}.

    Only units with missing projects are reminded, and only their own officers and robot. Run
    twice the same day (beat firing twice), it writes nothing new.
    """
    today = today or timezone.localdate()
    month = month_start(today)
    by_unit: dict[int, list[Project]] = defaultdict(list)
    for project in missing_progress(month).only("pk", "code", "name", "unit_id"):
        by_unit[project.unit_id].append(project)
    if not by_unit:
        return {}
    units = Unit.objects.in_bulk(list(by_unit))
    officers = officers_of(list(by_unit))
    link = absolute_url(reverse("projects:my_work"))
    label = _("%(y)d年%(m)d月") % {"y": month.year, "m": month.month}
    for unit_id, projects in by_unit.items():
        unit = units[unit_id]
        body = (
            _("%(unit)s尚有 %(n)d 个项目未填报%(month)s进展，请于月底前填报：")
            % {"unit": unit, "n": len(projects), "month": label}
            + "\n"
            + "\n".join(f"- {p.code} {p.name}" for p in projects)
        )
        notify(
            kind=Notice.Kind.REMINDER,
            key=f"reminder:{today.isoformat()}:{unit_id}",
            subject=_("请填报%(month)s项目进展") % {"month": label},
            body=body,
            link=link,
            users=officers.get(unit_id, []),
            units=[unit],
        )
    return {unit_id: len(projects) for unit_id, projects in by_unit.items()}
