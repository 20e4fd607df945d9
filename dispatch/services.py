"""Writes of monthly dispatch: requesting, building and failing report versions.

A report version goes pending -> running -> done (or failed). Every step is a conditional
UPDATE naming the state it leaves (`filter(pk=…, status=old).update(…) == 1`), so a retried
task, a redelivered message or a second worker can never build or publish a version twice,
and the snapshot is written in the same UPDATE that marks it done: nobody ever sees half a
report.
"""

import datetime

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import snapshot as snapshots
from dispatch.models import DispatchSettings, Notice, Report
from dispatch.notices import enqueue, notify, officers_of, report_link
from jinchang import jobs
from org import roles
from org.models import Unit, User
from org.roles import authorize
from projects.selectors import month_start

# A running build that has not finished after jobs.stalled_after() lost its worker (killed,
# OOM); the sweep hands it to another. A pending version the broker never took (down at request
# time) is queued again after UNQUEUED_AFTER; one it took but that never started (a broker
# restarted without its messages) after jobs.stalled_after() too.
UNQUEUED_AFTER = datetime.timedelta(minutes=2)
# A build whose worker died this many times (each claim counts) is not tried again by the
# sweep: it is marked failed for an admin to look at, rather than killing workers forever.
MAX_ATTEMPTS = 5
# Errors a retry may fix: the database busy, restarting or briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class ReportBuildError(Exception):
    """The build failed for a reason a retry will not fix; the version is marked failed."""


def _check_month(month: datetime.date) -> datetime.date:
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValueError(_("不能生成未来月份的调度报告。"))
    return month


def _new_version(*, month: datetime.date, user, trigger: str) -> Report:
    """Insert the next version of `month`; two requests at once get two numbers, never one."""
    for _attempt in range(5):
        version = (Report.objects.filter(month=month).aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                return Report.objects.create(
                    month=month,
                    version=version,
                    trigger=trigger,
                    requested_by=user if user is not None and user.pk else None,
                )
        except IntegrityError:
            # Another request took this number (or the month's scheduled slot) first.
            if trigger == Report.Trigger.SCHEDULED:
                existing = Report.objects.filter(month=month, trigger=trigger).first()
                if existing:
                    return existing
    raise IntegrityError("could not allocate a report version")


def _queue(report_id: int) -> None:
    from dispatch.tasks import generate_report

    task_id = enqueue(generate_report, report_id)
    if task_id:
        # Whatever the status: a fast worker (or an eager run) may have claimed or even
        # finished the build by now, and a re-queued version records its latest task. Only
        # this column is written, so the worker's own updates are untouched.
        Report.objects.filter(pk=report_id).update(task_id=task_id)
        Report.objects.filter(pk=report_id, status=Report.Status.PENDING).update(error="")
    else:
        Report.objects.filter(pk=report_id, status=Report.Status.PENDING).update(
            error=_("任务队列暂不可用，系统将自动重试。")
        )


def report_request(*, month: datetime.date, user, trigger: str = Report.Trigger.MANUAL) -> Report:
    """Create the next version of `month`'s report as pending and queue its build after commit.

    A version of the month still pending or running is returned instead of a second one (a
    double click). The broker being down never reaches the caller: the version stays pending
    and the retry task queues it later.
    """
    authorize(user, user is not None and roles.can_manage_reports(user))
    month = _check_month(month)
    with transaction.atomic():
        # Serialise requests: on PostgreSQL two at once would both find nothing in flight and
        # make two versions (and notify every leader twice). The settings row is the lock.
        DispatchSettings.objects.get_or_create(pk=1)
        DispatchSettings.objects.select_for_update().get(pk=1)
        if trigger == Report.Trigger.SCHEDULED:
            existing = Report.objects.filter(month=month, trigger=trigger).first()
            if existing:
                return existing
        in_flight = (
            Report.objects.filter(
                month=month, status__in=[Report.Status.PENDING, Report.Status.RUNNING]
            )
            .order_by("-version")
            .first()
        )
        if in_flight:
            # Asking again for a version whose build is lost (its worker killed, the broker
            # down) starts it again rather than answering with the stuck one.
            if _stuck(timezone.now()).filter(pk=in_flight.pk).exists():
                transaction.on_commit(lambda: _queue(in_flight.pk))
            return in_flight
        report = _new_version(month=month, user=user, trigger=trigger)
        transaction.on_commit(lambda: _queue(report.pk))
    return report


def report_generate_now(
    *, month: datetime.date, user=None, trigger: str = Report.Trigger.COMMAND
) -> Report:
    """Create and build a new version in this process (the seeds loader, the command)."""
    authorize(user, user is not None and roles.can_manage_reports(user))
    month = _check_month(month)
    with transaction.atomic():
        report = _new_version(month=month, user=user, trigger=trigger)
    return report_build(report.pk)


def _claim(report_id: int, *, takeover: bool = False) -> int | None:
    """Take the build: pending -> running, or a stalled running build; return the claim.

    `takeover`: the broker redelivered this task's message because the worker running it died
    (acks_late + reject_on_worker_lost), so a running build is taken over at once rather than
    after jobs.stalled_after().
    """
    now = timezone.now()
    report = Report.objects.filter(pk=report_id).values("status", "attempts", "started_at").first()
    if report is None:
        return None
    attempt = report["attempts"] + 1
    claimable = Report.objects.filter(pk=report_id, attempts=report["attempts"])
    if report["status"] == Report.Status.PENDING:
        claimable = claimable.filter(status=Report.Status.PENDING)
    elif report["status"] == Report.Status.RUNNING and (
        takeover
        or report["started_at"] is None
        or report["started_at"] < now - jobs.stalled_after()
    ):
        if report["attempts"] >= MAX_ATTEMPTS:
            # Its builds keep killing their workers: stop rather than loop on redeliveries.
            report_fail(report_id, _("生成过程多次中断，已停止自动重试；请检查后点击“重试”。"))
            return None
        claimable = claimable.filter(status=Report.Status.RUNNING)
    else:
        return None
    taken = claimable.update(
        status=Report.Status.RUNNING, attempts=attempt, started_at=now, progress=1, error=""
    )
    return attempt if taken == 1 else None


def _set_progress(report_id: int, attempt: int, percent: int) -> None:
    # Outside any transaction, so the page polling the version sees each step as it happens.
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, attempts=attempt).update(
        progress=max(1, min(99, percent))
    )


def report_release(report_id: int, attempt: int, error: str) -> None:
    """A transient failure: back to pending so that the task's retry can claim it again."""
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, attempts=attempt).update(
        status=Report.Status.PENDING, progress=0, error=error[:2000]
    )


def report_fail(report_id: int, error: str) -> None:
    Report.objects.filter(
        pk=report_id, status__in=[Report.Status.PENDING, Report.Status.RUNNING]
    ).update(status=Report.Status.FAILED, error=error[:2000], finished_at=timezone.now())


def report_build(report_id: int, *, takeover: bool = False) -> Report:
    """Build the snapshot of a pending version and publish it; the batch function the task runs.

    1. Claim the version (pending -> running); if another worker has it or it is already
       done, return it untouched.
    2. Compute the snapshot. No transaction around it: on SQLite that would hold the write
       lock for the whole build and the progress steps would not be visible.
    3. In one transaction, flip running -> done with the snapshot, but only if the claim is
       still ours, and write the notices to leaders and units (outbox).
    Transient database errors propagate (the task retries) after releasing the claim; any
    other error marks the version failed.
    """
    attempt = _claim(report_id, takeover=takeover)
    report = Report.objects.get(pk=report_id)
    if attempt is None:
        return report
    try:
        snapshot = snapshots.build(
            report.month, on_progress=lambda p: _set_progress(report_id, attempt, p)
        )
    except TRANSIENT_ERRORS as exc:
        report_release(report_id, attempt, str(exc))
        raise
    except Exception as exc:
        # Recorded on the version and shown to the admin; the task logs the traceback.
        report_fail(report_id, f"{type(exc).__name__}: {exc}")
        raise ReportBuildError(str(exc)) from exc
    with transaction.atomic():
        published = Report.objects.filter(
            pk=report_id, status=Report.Status.RUNNING, attempts=attempt
        ).update(
            status=Report.Status.DONE,
            snapshot=snapshot,
            progress=100,
            finished_at=timezone.now(),
            error="",
        )
        report.refresh_from_db()
        if published:
            _notify_report(report)
    return report


def _notify_report(report: Report) -> None:
    """Leaders and every unit get the headline figures and a link.

    A unit hears through its robot and its own mailbox; where it has no mailbox, its officers
    get the email instead.
    """
    leaders = User.objects.filter(groups__name=roles.LEADER, is_active=True).distinct()
    units = list(Unit.objects.all())
    officers = officers_of([unit.pk for unit in units if not unit.email])
    subject = _("%(title)s（第%(v)d版）已生成") % {
        "title": report.snapshot["title"],
        "v": report.version,
    }
    body = "\n".join(f"- {line}" for line in report.snapshot["highlights"])
    notify(
        kind=Notice.Kind.REPORT,
        key=f"report:{report.pk}",
        subject=subject,
        body=body,
        link=report_link(report),
        users=[*leaders, *(user for users in officers.values() for user in users)],
        units=units,
        unit_email=True,
    )


def _stuck(now: datetime.datetime):
    """Versions nobody is building: the broker never took them (no task id) for a couple of
    minutes, they were queued but never started (a broker restarted without its messages), or
    their build went silent (its worker killed)."""
    stalled = now - jobs.stalled_after()
    return Report.objects.filter(
        Q(status=Report.Status.PENDING, task_id="", created_at__lt=now - UNQUEUED_AFTER)
        | Q(status=Report.Status.PENDING, created_at__lt=stalled)
        | Q(status=Report.Status.RUNNING, started_at__lt=stalled)
    )


def report_requeue_stuck() -> int:
    """The sweep: queue again the versions nobody is building; return how many.

    A duplicate message is harmless: the claim lets one build run. A build that lost its
    worker MAX_ATTEMPTS times is marked failed instead.
    """
    stuck = _stuck(timezone.now())
    for report_id in stuck.filter(
        status=Report.Status.RUNNING, attempts__gte=MAX_ATTEMPTS
    ).values_list("pk", flat=True):
        report_fail(report_id, _("生成过程多次中断，已停止自动重试；请检查后点击“重试”。"))
    ids = list(stuck.values_list("pk", flat=True))
    for report_id in ids:
        _queue(report_id)
    return len(ids)


def report_retry(report_id: int) -> bool:
    """An admin's "try again" on a failed version: failed -> pending, queued after commit."""
    changed = Report.objects.filter(pk=report_id, status=Report.Status.FAILED).update(
        status=Report.Status.PENDING, progress=0, error="", finished_at=None
    )
    if changed:
        transaction.on_commit(lambda: _queue(report_id))
    return bool(changed)
