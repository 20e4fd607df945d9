"""Thin tasks: load the job by id and call the service. The services are idempotent (a job
moves on only from the state the step expects, and a commit is one transaction), so a retry
never imports a file twice."""

from celery import shared_task
from django.db import OperationalError

from ledger import services

# An upload that kills its worker (memory) would be handed back and kill the next one, for
# ever: a killed import's message is not handed back (reject_on_worker_lost off for these
# tasks); the sweep queues the job again and gives up after JOB_GIVE_UP_AFTER_MINUTES.
IMPORT_TASK_OPTIONS = {"bind": True, "max_retries": 3, "reject_on_worker_lost": False}

# SQLite lets one writer in at a time; a long import elsewhere can outlast the busy timeout.
RETRY_DELAY_SECONDS = 30


@shared_task(**IMPORT_TASK_OPTIONS)
def preview_import(self, job_id: int) -> str:
    try:
        return services.job_preview(job_id=job_id).status
    except OperationalError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=RETRY_DELAY_SECONDS) from exc
        services.job_give_up(job_id=job_id)
        raise


@shared_task(**IMPORT_TASK_OPTIONS)
def commit_import(self, job_id: int) -> str:
    try:
        return services.job_commit(job_id=job_id).status
    except OperationalError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=RETRY_DELAY_SECONDS) from exc
        services.job_give_up(job_id=job_id)
        raise


@shared_task
def requeue_stuck_imports() -> dict:
    """Every few minutes (beat): queue again the imports nobody is working on."""
    return services.job_requeue_stuck()
