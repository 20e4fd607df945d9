"""Saving data never depends on Celery: with the broker unreachable (a Redis address where
nothing listens), officers keep working, a requested report waits as pending and notices stay
pending; when the broker is back the retry task finishes both."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from dispatch import reminders, tasks
from dispatch.models import Notice, Report
from jinchang.celery import app as celery_app
from projects.models import MonthlyProgress
from projects.stages import Stage
from tests import factories
from tests.dispatch_data import TZ

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2025, 6, 20, 9, 0, tzinfo=TZ)
UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def june_20th():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _reset_connections():
    # The app keeps the pools it made for the first broker URL; forget them so that the next
    # send looks the pool up for the current URL (kombu keeps one per URL).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(monkeypatch):
    """`broker.down()` points the app at a dead broker and stops running tasks in-process;
    `broker.up()` brings the test's in-process Celery back."""

    class Broker:
        def down(self):
            monkeypatch.setattr(celery_app.conf, "broker_url", UNREACHABLE)
            # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI
            # sets it). After the setattr, so that undoing it restores the original URL.
            monkeypatch.setenv("CELERY_BROKER_URL", UNREACHABLE)
            monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
            _reset_connections()

        def up(self):
            monkeypatch.undo()
            _reset_connections()

    yield Broker()
    monkeypatch.undo()
    _reset_connections()


@pytest.fixture
def project(personas):
    personas.officer_a.email = "a@example.test"
    personas.officer_a.save()
    return factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)


def test_an_officer_files_progress_while_the_broker_is_down(
    broker, personas, login, project, django_capture_on_commit_callbacks
):
    broker.down()
    client = login(personas.officer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:progress_add", args=[project.pk]),
            {"month": "2025-06", "investment_completed": "300", "funds_in_place": "120"},
        )

    assert response.status_code == 302
    assert MonthlyProgress.objects.filter(project=project, month="2025-06-01").exists()


def test_notices_written_while_the_broker_is_down_go_out_when_it_is_back(
    broker, project, caplog, django_capture_on_commit_callbacks
):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send()

    notice = Notice.objects.get()
    assert notice.status == Notice.Status.PENDING
    assert mail.outbox == []
    assert "broker unavailable, dispatch.tasks.send_notices left for the retry task" in caplog.text

    broker.up()
    tasks.retry_pending.apply()

    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert [message.to for message in mail.outbox] == [["a@example.test"]]


def test_a_report_requested_while_the_broker_is_down_waits_and_is_built_later(
    broker, personas, login, june_20th, django_capture_on_commit_callbacks
):
    broker.down()
    client = login(personas.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dispatch:generate"), {"month": "2025-05"})

    report = Report.objects.get()
    assert response.status_code == 302
    assert report.status == Report.Status.PENDING
    assert "任务队列暂不可用" in report.error
    page = client.get(reverse("dispatch:report_detail", args=[report.pk])).content.decode()
    assert "等待执行" in page

    broker.up()
    june_20th.shift(datetime.timedelta(minutes=3))
    tasks.retry_pending.apply()

    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.error == ""
