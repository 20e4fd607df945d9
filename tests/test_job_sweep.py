"""Jobs nobody works on are picked up again: a report or an import whose worker was killed or
whose message the broker never took is queued again by the sweep once it has been silent for
JOB_STALLED_AFTER_MINUTES; asking again for a stuck report starts it again; a job that keeps
dying is given up with a message. The sweeps are plain functions; tasks run in-process here
(tests/test_job_worker.py kills a real worker)."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from dispatch import services as dispatch_services
from dispatch.models import Report
from ledger import services as ledger_services
from ledger import tasks as ledger_tasks
from ledger.models import ImportJob
from tests.dispatch_data import JANUARY, TODAY, build
from tests.ledger_files import project_row, reference_data, xlsx
from tests.test_dispatch_broker import broker  # noqa: F401 (the fixture taking the broker down)

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_STALLED_AFTER_MINUTES = 10
    settings.JOB_GIVE_UP_AFTER_MINUTES = 60


@pytest.fixture
def data(personas):
    with time_machine.travel(TODAY, tick=False):
        build(personas)
    return personas


def killed_mid_build(*, attempts: int = 1, started: datetime.datetime) -> Report:
    """A version whose worker died after claiming it: running, 1%, nobody building."""
    report = Report.objects.create(month=JANUARY, version=1, task_id="lost-task")
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, progress=1, attempts=attempts, started_at=started
    )
    return report


# --- Reports -----------------------------------------------------------------------------------


def test_asking_again_for_a_report_killed_mid_build_starts_it_again(
    data, django_capture_on_commit_callbacks
):
    with time_machine.travel(TODAY, tick=False):
        report = killed_mid_build(started=timezone.now())
    later = TODAY + 11 * MINUTE

    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = dispatch_services.report_request(month=JANUARY, user=data.admin)

    assert again.pk == report.pk
    report.refresh_from_db()
    assert (report.status, report.attempts, report.progress) == (Report.Status.DONE, 2, 100)
    assert Report.objects.count() == 1


def test_asking_again_while_the_build_is_alive_does_not_start_a_second(
    data, django_capture_on_commit_callbacks
):
    with time_machine.travel(TODAY, tick=False):
        report = killed_mid_build(started=timezone.now())

    with (
        time_machine.travel(TODAY + 9 * MINUTE, tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        again = dispatch_services.report_request(month=JANUARY, user=data.admin)

    assert again.pk == report.pk
    assert callbacks == []
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.RUNNING, 1)


def test_the_sweep_restarts_a_build_silent_beyond_the_setting(data, settings):
    settings.JOB_STALLED_AFTER_MINUTES = 3
    with time_machine.travel(TODAY, tick=False):
        report = killed_mid_build(started=timezone.now())

    with time_machine.travel(TODAY + 2 * MINUTE, tick=False):
        assert dispatch_services.report_requeue_stuck() == 0
    with time_machine.travel(TODAY + 4 * MINUTE, tick=False):
        assert dispatch_services.report_requeue_stuck() == 1

    report.refresh_from_db()
    assert report.status == Report.Status.DONE


def test_a_build_that_keeps_killing_its_worker_is_given_up_with_a_message(data):
    with time_machine.travel(TODAY, tick=False):
        report = killed_mid_build(attempts=dispatch_services.MAX_ATTEMPTS, started=timezone.now())

    with time_machine.travel(TODAY + 11 * MINUTE, tick=False):
        assert dispatch_services.report_requeue_stuck() == 0

    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "多次中断" in report.error


def test_redeliveries_of_a_build_that_keeps_killing_its_worker_stop(data):
    with time_machine.travel(TODAY, tick=False):
        report = killed_mid_build(attempts=dispatch_services.MAX_ATTEMPTS, started=timezone.now())

        result = dispatch_services.report_build(report.pk, takeover=True)

    assert result.status == Report.Status.FAILED
    assert result.attempts == dispatch_services.MAX_ATTEMPTS


def test_import_tasks_are_not_handed_back_when_their_worker_dies():
    # A file that kills its worker would otherwise kill every worker in turn.
    assert ledger_tasks.preview_import.reject_on_worker_lost is False
    assert ledger_tasks.commit_import.reject_on_worker_lost is False


def test_a_redelivered_message_takes_a_running_build_over_at_once(data):
    with time_machine.travel(TODAY, tick=False):
        report = killed_mid_build(started=timezone.now())
        untouched = dispatch_services.report_build(report.pk)
        assert untouched.status == Report.Status.RUNNING

        taken = dispatch_services.report_build(report.pk, takeover=True)

    assert (taken.status, taken.attempts) == (Report.Status.DONE, 2)


# --- Ledger imports ----------------------------------------------------------------------------


@pytest.fixture
def refs(personas):
    return reference_data(personas)


def new_upload(user) -> ImportJob:
    content = xlsx([project_row()])
    return ledger_services.job_create(
        user=user, kind="projects", upload=SimpleUploadedFile("台账.xlsx", content)
    )


def test_an_upload_made_while_the_broker_is_down_is_previewed_after_the_sweep(
    broker,  # noqa: F811
    personas,
    refs,
    caplog,
    django_capture_on_commit_callbacks,
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        job = new_upload(personas.officer_a)
    assert "broker unavailable, ledger.tasks.preview_import" in caplog.text
    broker.up()

    assert ledger_tasks.requeue_stuck_imports.apply().get() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED

    with time_machine.travel(timezone.now() + 11 * MINUTE, tick=False):
        result = ledger_tasks.requeue_stuck_imports.apply().get()

    assert result == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert job.summary["new"] == 1


def test_a_preview_whose_worker_died_is_run_again(personas, refs):
    job = new_upload(personas.officer_a)
    # What a killed worker leaves: the step claimed, its progress file written, then silence.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PREVIEWING, updated_at=timezone.now()
    )
    job.report_progress(10)

    assert ledger_services.job_requeue_stuck() == {"requeued": 0, "failed": 0}
    with time_machine.travel(timezone.now() + 11 * MINUTE, tick=False):
        assert ledger_services.job_requeue_stuck() == {"requeued": 1, "failed": 0}

    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_a_commit_whose_worker_died_is_run_again_and_imports_once(personas, refs):
    job = ledger_services.job_preview(job_id=new_upload(personas.officer_a).pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.COMMITTING, updated_at=timezone.now()
    )

    with time_machine.travel(timezone.now() + 11 * MINUTE, tick=False):
        assert ledger_services.job_requeue_stuck() == {"requeued": 1, "failed": 0}
        assert ledger_services.job_requeue_stuck() == {"requeued": 0, "failed": 0}

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.summary["committed"] is True
    assert personas.unit_a.projects.filter(name="年产5万吨高温合金项目").count() == 1


def test_a_job_still_writing_progress_is_left_alone(personas, refs):
    job = new_upload(personas.officer_a)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PREVIEWING, updated_at=timezone.now() - 30 * MINUTE
    )
    job.report_progress(50)  # just now

    assert ledger_services.job_requeue_stuck() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWING


def test_a_job_that_keeps_dying_is_given_up_with_a_message(personas, refs):
    job = new_upload(personas.officer_a)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PREVIEWING, updated_at=timezone.now()
    )

    with time_machine.travel(timezone.now() + 61 * MINUTE, tick=False):
        assert ledger_services.job_requeue_stuck() == {"requeued": 0, "failed": 1}

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "多次中断" in job.preview["file_errors"][0]


def test_the_import_sweep_is_on_the_beat_schedule():
    task = PeriodicTask.objects.select_related("crontab").get(
        task="ledger.tasks.requeue_stuck_imports"
    )

    assert task.enabled
    assert task.crontab.minute == "*/5"
