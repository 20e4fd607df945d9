"""The dispatch admin: failures are visible and can be sent again; the thresholds are edited
with a clear message on a bad combination; report versions are never typed in."""

import pytest
from django.urls import reverse

from dispatch.models import DispatchSettings, Notice, Report
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_notice(personas):
    personas.officer_a.email = "a@example.test"
    personas.officer_a.save()
    return Notice.objects.create(
        kind=Notice.Kind.REMINDER,
        channel=Notice.Channel.EMAIL,
        recipient_user=personas.officer_a,
        subject="请填报进展",
        body="JC-1",
        dedup_key="reminder:test",
        status=Notice.Status.FAILED,
        attempts=Notice.MAX_ATTEMPTS,
        last_error="SMTP 连接超时",
    )


def test_the_admin_shows_failed_notices_with_their_error(personas, login, failed_notice):
    url = reverse("admin:dispatch_notice_changelist") + "?status__exact=failed"

    response = login(personas.admin).get(url)

    assert response.status_code == 200
    assert "SMTP 连接超时" in response.content.decode()


def test_the_admin_sends_a_failed_notice_again(
    personas, login, failed_notice, mailoutbox, django_capture_on_commit_callbacks
):
    client = login(personas.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:dispatch_notice_changelist"),
            {"action": "resend", "_selected_action": [failed_notice.pk]},
        )

    failed_notice.refresh_from_db()
    assert response.status_code == 302
    assert failed_notice.status == Notice.Status.SENT
    assert [m.to for m in mailoutbox] == [["a@example.test"]]


def test_the_thresholds_must_rise_from_yellow_to_red_to_drop(personas, login):
    client = login(personas.admin)

    response = client.post(
        reverse("admin:dispatch_dispatchsettings_add"),
        {"yellow_months": 3, "red_months": 3, "drop_months": 6},
    )

    assert response.status_code == 200
    assert "黄色预警 &lt; 红色预警 &lt; 建议终止" in response.content.decode()
    assert not DispatchSettings.objects.exists()


def test_the_thresholds_are_saved_as_the_single_row(personas, login):
    client = login(personas.admin)

    client.post(
        reverse("admin:dispatch_dispatchsettings_add"),
        {"yellow_months": 1, "red_months": 2, "drop_months": 4},
    )

    saved = DispatchSettings.load()
    assert (saved.pk, saved.yellow_months, saved.red_months, saved.drop_months) == (1, 1, 2, 4)
    assert client.get(reverse("admin:dispatch_dispatchsettings_add")).status_code == 403


def test_report_versions_are_listed_but_not_added_by_hand(personas, login):
    factories.ProjectFactory()
    Report.objects.create(month="2025-05-01", version=1, status=Report.Status.FAILED, error="x")
    client = login(personas.admin)

    assert client.get(reverse("admin:dispatch_report_changelist")).status_code == 200
    assert client.get(reverse("admin:dispatch_report_add")).status_code == 403


def test_the_admin_builds_a_failed_version_again(
    personas, login, django_capture_on_commit_callbacks
):
    report = Report.objects.create(
        month="2025-05-01", version=1, status=Report.Status.FAILED, error="数据库重启"
    )
    client = login(personas.admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:dispatch_report_changelist"),
            {"action": "retry_failed", "_selected_action": [report.pk]},
        )

    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.DONE, "")
    assert report.snapshot["month"] == "2025-05"


@pytest.mark.parametrize("persona", ["officer_a", "leader"])
def test_other_roles_cannot_resend_notices(persona, personas, login, failed_notice):
    client = login(getattr(personas, persona))

    response = client.post(
        reverse("admin:dispatch_notice_changelist"),
        {"action": "resend", "_selected_action": [failed_notice.pk]},
    )

    failed_notice.refresh_from_db()
    assert response.status_code in (302, 403)
    assert failed_notice.status == Notice.Status.FAILED
