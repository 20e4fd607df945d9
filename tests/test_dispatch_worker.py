"""End to end: a report requested from the web process is built by a real Celery worker (on the
filesystem broker by default, on Redis in CI) and published once, with its notices."""

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch import services
from dispatch.models import Notice, Report
from projects.selectors import previous_month
from projects.stages import Stage
from tests import factories
from tests.test_worker import worker  # noqa: F401 (the fixture starting the worker)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(report: Report, timeout: float = 120) -> Report:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in (Report.Status.DONE, Report.Status.FAILED):
            return report
        time.sleep(0.5)
    raise AssertionError(f"the report is still {report.status} after {timeout}s")


def test_a_real_worker_builds_the_requested_report_once(worker, personas):  # noqa: F811
    month = previous_month(timezone.localdate())
    personas.leader.email = "leader@example.test"
    personas.leader.save()
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)
    factories.ProgressFactory(project=project, month=month, funds_in_place=Decimal("4321"))

    report = services.report_request(month=month, user=personas.admin)
    assert report.status == Report.Status.PENDING

    report = wait_for(report)
    assert worker.poll() is None, "the worker died"
    assert report.status == Report.Status.DONE, report.error
    assert report.task_id
    assert report.snapshot["headline"]["funds_in_month"] == "4321.00"
    assert Report.objects.count() == 1
    assert (
        Notice.objects.filter(kind=Notice.Kind.REPORT, recipient_user=personas.leader).count() == 1
    )
