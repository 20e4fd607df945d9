"""With real Celery workers: a worker killed (SIGKILL) in the middle of a report leaves the
version running; once it has been silent for JOB_STALLED_AFTER_MINUTES, asking again starts it
again and a fresh worker publishes it once. An import uploaded while the broker was down is
previewed by a worker after the sweep."""

import contextlib
import datetime
import os
import signal
import subprocess
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.models import Notice, Report
from ledger import services as ledger_services
from ledger.models import ImportJob
from projects.selectors import previous_month
from projects.stages import Stage
from tests import factories
from tests.ledger_files import project_row, reference_data, xlsx
from tests.test_dispatch_broker import broker  # noqa: F401 (the fixture taking the broker down)
from tests.test_worker import start_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def running(proc: subprocess.Popen):
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_until(check, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"still not {what} after {timeout}s")


def silent_for_longer_than_the_setting() -> datetime.datetime:
    # The workers run on the real clock, so the silence is written into the row rather than
    # waited for.
    return timezone.now() - datetime.timedelta(minutes=settings.JOB_STALLED_AFTER_MINUTES + 1)


def test_a_report_whose_worker_is_killed_mid_build_is_published_once(personas):
    month = previous_month(timezone.localdate())
    personas.leader.email = "leader@example.test"
    personas.leader.save()
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)
    factories.ProgressFactory(project=project, month=month, funds_in_place=Decimal("4321"))

    with running(start_worker("tests.worker_stuck_build")) as doomed:
        report = dispatch_services.report_request(month=month, user=personas.admin)

        def mid_build():
            report.refresh_from_db()
            return report.status == Report.Status.RUNNING and report.progress == 5

        wait_until(mid_build, "building")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=20)

    report.refresh_from_db()
    assert (report.status, report.progress, report.attempts) == (Report.Status.RUNNING, 5, 1)
    # Asked again at once, the build may still be alive as far as anyone can tell: no restart.
    assert dispatch_services.report_request(month=month, user=personas.admin).pk == report.pk
    Report.objects.filter(pk=report.pk).update(started_at=silent_for_longer_than_the_setting())

    with running(start_worker()) as rescuer:
        again = dispatch_services.report_request(month=month, user=personas.admin)
        assert again.pk == report.pk

        def published():
            report.refresh_from_db()
            return report.status in (Report.Status.DONE, Report.Status.FAILED)

        wait_until(published, "published")
        assert rescuer.poll() is None, "the second worker died"

    assert report.status == Report.Status.DONE, report.error
    assert report.attempts == 2
    assert report.snapshot["headline"]["funds_in_month"] == "4321.00"
    assert Report.objects.count() == 1
    assert (
        Notice.objects.filter(kind=Notice.Kind.REPORT, recipient_user=personas.leader).count() == 1
    )


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="kombu's filesystem transport does not mark a message it hands back as redelivered",
)
def test_a_killed_pool_child_s_report_is_redelivered_and_taken_over_at_once(personas, tmp_path):
    month = previous_month(timezone.localdate())
    pid_file = tmp_path / "child.pid"

    with running(
        start_worker("tests.worker_stuck_build", pool="prefork", STUCK_BUILD_PID_FILE=str(pid_file))
    ) as worker:
        report = dispatch_services.report_request(month=month, user=personas.admin)
        wait_until(pid_file.exists, "building")
        # As the kernel's OOM killer would: the pool child, not the worker.
        os.kill(int(pid_file.read_text()), signal.SIGKILL)

        def published():
            report.refresh_from_db()
            return report.status in (Report.Status.DONE, Report.Status.FAILED)

        wait_until(published, "published")
        assert worker.poll() is None, "the worker died"

    assert report.status == Report.Status.DONE, report.error
    assert report.attempts == 2
    assert Report.objects.count() == 1


def test_an_upload_made_while_the_broker_was_down_is_previewed_after_the_sweep(
    broker,  # noqa: F811
    personas,
):
    reference_data(personas)
    broker.down()
    job = ledger_services.job_create(
        user=personas.officer_a,
        kind="projects",
        upload=SimpleUploadedFile("台账.xlsx", xlsx([project_row()])),
    )
    broker.up()
    try:
        job.refresh_from_db()
        assert job.status == ImportJob.Status.UPLOADED
        ImportJob.objects.filter(pk=job.pk).update(updated_at=silent_for_longer_than_the_setting())

        with running(start_worker()) as worker:
            assert ledger_services.job_requeue_stuck() == {"requeued": 1, "failed": 0}

            def previewed():
                job.refresh_from_db()
                return not job.is_running

            wait_until(previewed, "previewed")
            assert worker.poll() is None, "the worker died"

        assert job.status == ImportJob.Status.PREVIEWED, job.preview
        assert job.summary["new"] == 1
    finally:
        job.file.delete(save=False)
