"""Reads of monthly dispatch: the report versions, the warning overview, the outbox's state."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dispatch.models import Notice, Report
from projects.models import Project, Staleness
from projects.selectors import month_start, progress_filed_q, with_flags
from projects.stages import ACTIVE, Stage


def report_list() -> QuerySet:
    """Every version, newest month first; the snapshot (large) is not loaded for a list."""
    return (
        Report.objects.select_related("requested_by")
        .defer("snapshot")
        .order_by("-month", "-version")
    )


def report_versions(*, month: datetime.date) -> QuerySet:
    return report_list().filter(month=month)


def warning_overview(*, today: datetime.date | None = None) -> dict:
    """Warnings and missing entries of this month by unit, in one grouped query."""
    today = today or timezone.localdate()
    rows = list(
        with_flags(Project.objects.exclude(stage=Stage.DROPPED), today=today)
        .annotate(filed=progress_filed_q(month_start(today)))
        .order_by()
        .values("unit_id", "unit__name", "unit__short_name", "unit__order")
        .annotate(
            projects=Count("id"),
            yellow=Count("id", filter=Q(staleness=Staleness.YELLOW)),
            red=Count("id", filter=Q(staleness=Staleness.RED)),
            drop=Count("id", filter=Q(staleness=Staleness.PROPOSE_DROP)),
            four_one=Count("id", filter=Q(four_one_missing=True)),
            overdue=Count("id", filter=Q(has_overdue_problem=True)),
            missing=Count("id", filter=Q(filed=False, stage__in=ACTIVE)),
        )
        .order_by("unit__order", "unit__name")
    )
    keys = ("projects", "yellow", "red", "drop", "four_one", "overdue", "missing")
    for row in rows:
        row["name"] = row["unit__short_name"] or row["unit__name"]
    totals = {key: sum(row[key] for row in rows) for key in keys}
    return {"month": month_start(today), "rows": rows, "totals": totals}


def notice_summary() -> dict[str, int]:
    """How many notices wait and how many failed (shown to admins beside the reports)."""
    counts = dict(
        Notice.objects.exclude(status=Notice.Status.SENT)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return {
        "pending": counts.get(Notice.Status.PENDING, 0),
        "failed": counts.get(Notice.Status.FAILED, 0),
    }
