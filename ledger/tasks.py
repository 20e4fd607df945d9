"""Thin tasks: load the job by id and call the service. The services are idempotent (a job
moves on only from the state the step expects, and a commit is one transaction), so a retry
never imports a file twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from ledger import services

# An upload that kills its worker (memory) would be handed back and kill the next one, for
# ever: a killed import's message is not handed back (reject_on_worker_lost off for these
# tasks); the sweep queues the job again and gives up after JOB_GIVE_UP_AFTER_MINUTES.
IMPORT_TASK_OPTIONS = {"bind": True, "max_retries": 3, "reject_on_worker_lost": False}

# SQLite lets one writer in at a time; a long import elsewhere can outlast the busy timeout.
RETRY_DELAY_SECONDS = 30
# The largest file the reader accepts (20,000 rows) is checked in well under a minute and
# committed in a few; a task past these limits is reading something no ledger is. The soft
# limit raises inside the task, which marks the job failed (naming the limit) and rolls a
# commit back; the hard limit kills the child if even that does not return.
SOFT_TIME_LIMIT_SECONDS = {"preview": 120, "commit": 600}
HARD_TIME_LIMIT_EXTRA_SECONDS = 30


@shared_task(
    **IMPORT_TASK_OPTIONS,
    soft_time_limit=SOFT_TIME_LIMIT_SECONDS["preview"],
    time_limit=SOFT_TIME_LIMIT_SECONDS["preview"] + HARD_TIME_LIMIT_EXTRA_SECONDS,
)
def preview_import(self, job_id: int) -> str:
    try:
        return services.job_preview(job_id=job_id).status
    except SoftTimeLimitExceeded:
        services.job_timed_out(job_id=job_id, seconds=SOFT_TIME_LIMIT_SECONDS["preview"])
        raise
    except OperationalError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=RETRY_DELAY_SECONDS) from exc
        services.job_give_up(job_id=job_id)
        raise


@shared_task(
    **IMPORT_TASK_OPTIONS,
    soft_time_limit=SOFT_TIME_LIMIT_SECONDS["commit"],
    time_limit=SOFT_TIME_LIMIT_SECONDS["commit"] + HARD_TIME_LIMIT_EXTRA_SECONDS,
)
def commit_import(self, job_id: int) -> str:
    try:
        return services.job_commit(job_id=job_id).status
    except SoftTimeLimitExceeded:
        services.job_timed_out(job_id=job_id, seconds=SOFT_TIME_LIMIT_SECONDS["commit"])
        raise
    except OperationalError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=RETRY_DELAY_SECONDS) from exc
        services.job_give_up(job_id=job_id)
        raise


@shared_task
def requeue_stuck_imports() -> dict:
    """Every few minutes (beat): queue again the imports nobody is working on."""
    return services.job_requeue_stuck()
