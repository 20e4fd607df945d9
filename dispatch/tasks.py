"""Celery tasks of monthly dispatch: each loads by id (or by date), calls a service, retries.

The work itself is in plain functions (dispatch.services, .reminders, .staleness, .notices)
that the tests call directly; the schedule is in dispatch.schedule.
"""

from celery import shared_task
from django.utils import timezone

from dispatch import notices, reminders, services, staleness
from dispatch.models import Report
from projects.selectors import previous_month

REPORT_MAX_RETRIES = 5


@shared_task(bind=True, max_retries=REPORT_MAX_RETRIES, acks_late=True)
def generate_report(self, report_id: int) -> str:
    """Build one report version. Idempotent: a second delivery finds it claimed or done, except
    a redelivery after the worker died, which takes the build over."""
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    try:
        report = services.report_build(report_id, takeover=redelivered)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.report_fail(report_id, f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
    return report.status


@shared_task
def monthly_report() -> int:
    """The 1st of the month: the scheduled version of the previous month (once per month)."""
    month = previous_month(timezone.localdate())
    report = services.report_request(month=month, user=None, trigger=Report.Trigger.SCHEDULED)
    return report.pk


@shared_task(autoretry_for=services.TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def send_reminders() -> int:
    return len(reminders.reminders_send())


@shared_task(autoretry_for=services.TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def compute_warnings() -> dict:
    return staleness.staleness_compute()


@shared_task
def send_notices() -> dict:
    return notices.send_pending()


@shared_task
def retry_pending() -> dict:
    """Every few minutes: send what is pending, queue reports the broker never took."""
    sent = notices.send_pending()
    requeued = services.report_requeue_stuck()
    return {"notices": sent, "reports_requeued": requeued}
