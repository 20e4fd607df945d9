"""The report's letterhead settings and 成文日期: one row an admin edits (issuing body, 主送,
抄送, 印发机关), a 成文日期 per version that defaults to the working day after the month, and
who may change them."""

import datetime

import pytest
from django.urls import reverse

from dispatch.models import Report, ReportSettings, working_day_after

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (datetime.date(2025, 6, 1), datetime.date(2025, 7, 1)),  # a Tuesday
        (datetime.date(2026, 1, 1), datetime.date(2026, 2, 2)),  # 1 February is a Sunday
        (datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)),  # across the year
        (datetime.date(2025, 10, 1), datetime.date(2025, 11, 3)),  # 1 November is a Saturday
    ],
)
def test_the_default_date_is_the_working_day_after_the_month(month, expected):
    assert working_day_after(month) == expected
    assert Report(month=month, version=1).document_date == expected


def test_an_admins_date_wins_and_the_issue_is_numbered_per_year():
    report = Report(month=datetime.date(2025, 6, 1), version=2, dated_on=datetime.date(2025, 7, 3))

    assert report.document_date == datetime.date(2025, 7, 3)
    assert report.issue_number == 6


def test_the_defaults_until_an_admin_saves_and_the_printer_falls_back_to_the_issuer():
    settings = ReportSettings.load()

    assert settings.pk == 1 and settings._state.adding
    assert settings.issuer == "金昌市投资促进局"
    assert settings.printer == "金昌市投资促进局"
    settings.printing_body = "金昌市投资促进局办公室"
    assert settings.printer == "金昌市投资促进局办公室"


def test_an_admin_edits_the_letterhead_once(personas, login):
    client = login(personas.admin)

    response = client.post(
        reverse("admin:dispatch_reportsettings_add"),
        {
            "issuer": "金昌市招商局",
            "document_name": "招商引资项目月调度通报",
            "main_recipients": "各县区人民政府",
            "copy_to": "市政府办公室",
            "printing_body": "",
        },
    )

    assert response.status_code == 302
    assert ReportSettings.load().issuer == "金昌市招商局"
    assert client.get(reverse("admin:dispatch_reportsettings_add")).status_code == 403


def test_an_admin_sets_a_versions_date_and_nothing_else(personas, login):
    report = Report.objects.create(month=datetime.date(2025, 6, 1), version=1)
    client = login(personas.admin)
    url = reverse("admin:dispatch_report_change", args=[report.pk])

    response = client.post(url, {"dated_on": "2025-07-04", "version": "9"})

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.dated_on, report.version) == (datetime.date(2025, 7, 4), 1)


@pytest.mark.parametrize("persona", ["officer_a", "leader"])
def test_officers_and_leaders_cannot_reach_the_settings(personas, login, persona):
    response = login(getattr(personas, persona)).get(
        reverse("admin:dispatch_reportsettings_changelist")
    )

    assert response.status_code == 302  # to the admin login


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("admin:dispatch_reportsettings_changelist"))

    assert response.status_code == 302
