"""Reminders on the 20th and the 25th: only the units with projects missing this month's progress
are reminded, by email to their own officers and by their own group robot (a real HTTP server
on 127.0.0.1 stands in for WeCom and DingTalk)."""

import datetime

import pytest
import time_machine
from django.core import mail

from dispatch import notices, reminders, tasks
from dispatch.models import Notice
from projects.stages import Stage
from tests import factories
from tests.dispatch_data import TZ, running_robot_server

pytestmark = pytest.mark.django_db
THE_20TH = datetime.datetime(2025, 6, 20, 9, 0, tzinfo=TZ)
JUNE = datetime.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def june_20th():
    with time_machine.travel(THE_20TH, tick=False):
        yield


@pytest.fixture
def robot_server():
    with running_robot_server() as server:
        yield server


@pytest.fixture
def units(personas, robot_server):
    """甲 (WeCom robot) and 乙 (DingTalk robot) each miss a project; 丙 has filed everything."""
    a, b = personas.unit_a, personas.unit_b
    a.robot_kind, a.robot_webhook = "wecom", robot_server.url("/wecom-a")
    a.save()
    b.robot_kind, b.robot_webhook = "dingtalk", robot_server.url("/dingtalk-b")
    b.save()
    c = factories.UnitFactory(
        name="丙单位", robot_kind="wecom", robot_webhook=robot_server.url("/wecom-c")
    )
    for officer, address in (
        (personas.officer_a, "a@example.test"),
        (personas.officer_b, "b@example.test"),
    ):
        officer.email = address
        officer.save()
    officer_c = factories.OfficerFactory(username="officer_c", unit=c, email="c@example.test")
    personas.leader.email = "leader@example.test"
    personas.leader.save()

    missing_a = factories.ProjectFactory(code="JC-A-1", unit=a, stage=Stage.GREEN)
    filed_a = factories.ProjectFactory(code="JC-A-2", unit=a, stage=Stage.BLUE)
    factories.ProgressFactory(project=filed_a, month=JUNE)
    missing_b = factories.ProjectFactory(code="JC-B-1", unit=b, stage=Stage.RED)
    filed_c = factories.ProjectFactory(code="JC-C-1", unit=c, stage=Stage.GREEN)
    factories.ProgressFactory(project=filed_c, month=JUNE)
    # Projects no longer tracked file nothing and are never asked to.
    factories.ProjectFactory(code="JC-C-2", unit=c, stage=Stage.OPERATING)
    factories.ProjectFactory(code="JC-C-3", unit=c, stage=Stage.DROPPED)
    return {"c": c, "officer_c": officer_c, "missing": (missing_a, missing_b)}


def test_only_units_missing_progress_are_reminded(units, personas):
    reminded = reminders.reminders_send()

    assert reminded == {personas.unit_a.pk: 1, personas.unit_b.pk: 1}
    recipients = {
        (n.channel, n.recipient_user_id, n.recipient_unit_id) for n in Notice.objects.all()
    }
    assert recipients == {
        ("email", personas.officer_a.pk, None),
        ("email", personas.officer_b.pk, None),
        ("wecom", None, personas.unit_a.pk),
        ("dingtalk", None, personas.unit_b.pk),
    }


def test_each_unit_hears_only_of_its_own_projects(units, personas, robot_server):
    reminders.reminders_send()

    notices.send_pending()

    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert sorted(by_address) == ["a@example.test", "b@example.test"]
    assert "JC-A-1" in by_address["a@example.test"]
    assert "JC-A-2" not in by_address["a@example.test"]
    assert "JC-B-1" not in by_address["a@example.test"]
    assert "JC-B-1" in by_address["b@example.test"]
    assert "/projects/my-work/" in by_address["a@example.test"]
    assert robot_server.paths() == ["/dingtalk-b", "/wecom-a"]


def test_the_robots_get_their_own_message_formats(units, robot_server):
    reminders.reminders_send()

    notices.send_pending()

    payloads = {item["path"]: item["json"] for item in robot_server.received}
    wecom, dingtalk = payloads["/wecom-a"], payloads["/dingtalk-b"]
    assert wecom["msgtype"] == "markdown"
    assert "JC-A-1" in wecom["markdown"]["content"]
    assert "请填报2025年6月项目进展" in wecom["markdown"]["content"]
    assert dingtalk["msgtype"] == "markdown"
    assert dingtalk["markdown"]["title"] == "请填报2025年6月项目进展"
    assert "JC-B-1" in dingtalk["markdown"]["text"]
    assert set(Notice.objects.values_list("status", flat=True)) == {Notice.Status.SENT}


def test_the_reminder_task_run_twice_sends_each_reminder_once(units, robot_server):
    tasks.send_reminders.apply()
    tasks.send_reminders.apply()

    notices.send_pending()

    assert Notice.objects.count() == 4
    assert len(mail.outbox) == 2
    assert len(robot_server.received) == 2


def test_a_robot_that_fails_is_retried_and_then_marked_failed(units, robot_server):
    robot_server.fail = True
    reminders.reminders_send()

    for _attempt in range(Notice.MAX_ATTEMPTS):
        notices.send_pending()

    robots = Notice.objects.exclude(channel=Notice.Channel.EMAIL)
    assert {n.status for n in robots} == {Notice.Status.FAILED}
    assert {n.attempts for n in robots} == {Notice.MAX_ATTEMPTS}
    assert all("HTTP 500" in n.last_error for n in robots)
    # The emails went out the first time and were not sent again.
    assert len(mail.outbox) == 2


def test_a_failed_notice_sent_again_by_the_admin_goes_out(units, robot_server):
    robot_server.fail = True
    reminders.reminders_send()
    for _attempt in range(Notice.MAX_ATTEMPTS):
        notices.send_pending()
    robot_server.fail = False
    failed = Notice.objects.filter(status=Notice.Status.FAILED)

    assert notices.notice_resend(notice_ids=failed.values_list("pk", flat=True)) == 2
    notices.send_pending()

    assert not Notice.objects.exclude(status=Notice.Status.SENT).exists()


def test_a_notice_claimed_by_another_sender_is_not_sent_twice(units):
    reminders.reminders_send()
    notice = Notice.objects.filter(channel=Notice.Channel.EMAIL).first()
    Notice.objects.filter(pk=notice.pk).update(
        locked_until=THE_20TH + datetime.timedelta(minutes=1)
    )

    assert notices.send_one(notice.pk) is None
    assert len(mail.outbox) == 0


def test_a_webhook_address_that_is_not_http_is_refused_without_a_request(units, personas):
    personas.unit_a.robot_webhook = "file:///etc/passwd"
    personas.unit_a.save()
    reminders.reminders_send()

    notices.send_pending()

    robot = Notice.objects.get(recipient_unit=personas.unit_a)
    assert robot.status == Notice.Status.PENDING
    assert "http" in robot.last_error
