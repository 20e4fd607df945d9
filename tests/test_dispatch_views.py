"""The dispatch pages per persona: every role reads reports and downloads them, only admins
generate, anonymous users are sent to the login page; progress while a version is built."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from dispatch import services
from dispatch.models import Report
from projects.stages import Stage
from tests import factories
from tests.dispatch_data import JANUARY, TODAY

pytestmark = pytest.mark.django_db
READERS = ["officer_a", "officer_b", "leader", "admin"]


@pytest.fixture(autouse=True)
def february_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def report(personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)
    factories.ProgressFactory(project=project, month=JANUARY, funds_in_place=1234)
    return services.report_generate_now(month=JANUARY)


@pytest.fixture
def pending(personas):
    return services._new_version(month=JANUARY, user=personas.admin, trigger=Report.Trigger.MANUAL)


def urls(report):
    return [
        reverse("dispatch:reports"),
        reverse("dispatch:report_detail", args=[report.pk]),
        reverse("dispatch:report_status", args=[report.pk]),
        reverse("dispatch:report_download", args=[report.pk, "docx"]),
        reverse("dispatch:report_download", args=[report.pk, "xlsx"]),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, report):
    for url in urls(report):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))
    response = client.post(reverse("dispatch:generate"), {"month": "2026-01"})
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_a_user_without_a_role_is_refused(login, report):
    client = login(factories.UserFactory(username="nobody"))

    for url in urls(report):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", READERS)
def test_every_role_reads_the_reports_and_their_pages(persona, personas, login, report):
    client = login(getattr(personas, persona))

    listing = client.get(reverse("dispatch:reports"))
    detail = client.get(reverse("dispatch:report_detail", args=[report.pk]))

    assert listing.status_code == 200
    assert "2026年1月" in listing.content.decode()
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "金昌市招商引资项目月调度报告（2026年1月）" in html
    assert "一、总体情况" in html
    assert "1,234.00" in html
    # The generate forms (a month, or this month again) are for admins only.
    assert ('action="/dispatch/generate/"' in listing.content.decode()) == (persona == "admin")
    assert ("重新生成（新版本）" in html) == (persona == "admin")


@pytest.mark.parametrize("persona", READERS)
def test_every_role_downloads_the_word_and_excel_files(persona, personas, login, report):
    client = login(getattr(personas, persona))

    docx = client.get(reverse("dispatch:report_download", args=[report.pk, "docx"]))
    xlsx = client.get(reverse("dispatch:report_download", args=[report.pk, "xlsx"]))

    assert docx.status_code == xlsx.status_code == 200
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    assert "attachment" in docx["Content-Disposition"]
    assert ".docx" in docx["Content-Disposition"]
    assert docx.content[:2] == xlsx.content[:2] == b"PK"


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "leader"])
def test_only_admins_generate_a_report(persona, personas, login):
    client = login(getattr(personas, persona))

    response = client.post(reverse("dispatch:generate"), {"month": "2026-01"})

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_an_admin_generates_now_and_lands_on_the_new_version(
    personas, login, django_capture_on_commit_callbacks
):
    client = login(personas.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dispatch:generate"), {"month": "2026-01"})

    report = Report.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dispatch:report_detail", args=[report.pk])
    assert (report.month, report.version, report.requested_by) == (JANUARY, 1, personas.admin)
    # Celery runs in-process in tests: the version is already built.
    assert report.status == Report.Status.DONE


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-03", "不能生成未来月份的调度报告。"),
        ("2026-13", "请选择月份"),
        ("三月", "请选择月份"),
        ("", "该字段是必填项"),
        ("1999-12", "月份过早"),
    ],
)
def test_it_refuses_a_bad_month_with_a_message_on_the_field(month, message, personas, login):
    client = login(personas.admin)

    response = client.post(reverse("dispatch:generate"), {"month": month})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["month"])
    assert not Report.objects.exists()


def test_a_version_in_flight_shows_its_progress_and_polls(personas, login, pending):
    Report.objects.filter(pk=pending.pk).update(status=Report.Status.RUNNING, progress=40)
    client = login(personas.leader)

    page = client.get(reverse("dispatch:report_detail", args=[pending.pk])).content.decode()
    status = client.get(reverse("dispatch:report_status", args=[pending.pk]))

    assert "正在生成" in page
    assert 'hx-trigger="every 2s"' in page
    assert 'aria-valuenow="40"' in page
    assert "HX-Refresh" not in status
    assert "下载 Word" not in page


def test_the_progress_box_reloads_the_page_once_the_version_is_done(personas, login, report):
    response = login(personas.officer_a).get(reverse("dispatch:report_status", args=[report.pk]))

    assert response["HX-Refresh"] == "true"


def test_a_version_not_done_cannot_be_downloaded(personas, login, pending):
    client = login(personas.admin)

    for fmt in ("docx", "xlsx"):
        url = reverse("dispatch:report_download", args=[pending.pk, fmt])
        assert client.get(url).status_code == 404


def test_an_unknown_format_is_not_found(personas, login, report):
    url = reverse("dispatch:report_download", args=[report.pk, "csv"])

    assert login(personas.admin).get(url).status_code == 404


def test_a_waiting_version_says_so_when_the_broker_was_unavailable(personas, login, pending):
    Report.objects.filter(pk=pending.pk).update(error="任务队列暂不可用，系统将自动重试。")

    html = login(personas.officer_b).get(reverse("dispatch:report_detail", args=[pending.pk]))

    assert "等待执行" in html.content.decode()
    assert "任务队列暂不可用" in html.content.decode()


def add_data(personas, n):
    for i in range(n):
        unit = factories.UnitFactory(name=f"单位{n}-{i}")
        project = factories.ProjectFactory(unit=unit, stage=Stage.GREEN)
        factories.ProblemFactory(project=project, unit=unit, deadline=datetime.date(2026, 1, 1))
        Report.objects.create(month=datetime.date(2020 + i, 1, 1), version=1 + n)


# session, user, roles, report count, overview by unit, thresholds, report page; an admin also
# reads the notice counts and (in the top bar) their own unit.
QUERIES = {"leader": 7, "admin": 9}


@pytest.mark.parametrize("persona", ["admin", "leader"])
def test_the_reports_page_runs_the_same_queries_at_two_data_sizes(
    persona, personas, login, django_assert_num_queries
):
    client = login(getattr(personas, persona))

    for n in (2, 6):
        add_data(personas, n)
        with django_assert_num_queries(QUERIES[persona]):
            assert client.get(reverse("dispatch:reports")).status_code == 200
