"""The dashboard's figures, the monthly dispatch reports and the project ledger export over
the API: real files built, downloaded and read back."""

import datetime
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
import time_machine

from dispatch import services as dispatch_services
from dispatch.models import Report
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"
DASHBOARD = "/api/v1/dashboard/"
ROLES = ["officer_a", "officer_b", "leader", "admin"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def mid_july():
    with time_machine.travel(datetime.datetime(2025, 7, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def funded(personas):
    """Two projects on two chains with funds in place this year and last."""
    battery = factories.ChainFactory(name="新能源和新能源电池")
    metals = factories.ChainFactory(name="有色金属新材料")
    a = factories.ProjectFactory(unit=personas.unit_a, chain=battery, stage=Stage.GREEN)
    b = factories.ProjectFactory(unit=personas.unit_b, chain=metals, stage=Stage.GREEN)
    factories.ProgressFactory(
        project=a, month=datetime.date(2025, 3, 1), funds_in_place=Decimal("1500.25")
    )
    factories.ProgressFactory(
        project=b, month=datetime.date(2025, 4, 1), funds_in_place=Decimal("500")
    )
    factories.ProgressFactory(
        project=a, month=datetime.date(2024, 3, 1), funds_in_place=Decimal("1000")
    )
    return battery


# --- Dashboard ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_the_dashboard_figures(personas, login, funded, who):
    response = login(getattr(personas, who)).get(DASHBOARD + "?year=2025&month=6")

    assert response.status_code == 200
    figures = response.json()
    assert figures["scope"]["year"] == 2025
    assert figures["scope"]["month"] == 6
    headline = figures["headline"]
    # Amounts stay exact: decimal strings in 万元.
    assert headline["funds_in_place_ytd"] == "2000.25"
    assert headline["funds_in_place_prev_ytd"] == "1000.00"
    assert headline["funds_increment"] == "1000.25"
    assert headline["funds_growth_rate"] == "100.03"
    assert {"by_stage", "by_chain", "monthly_funds", "unit_scoreboard"} <= set(figures)


def test_the_dashboard_narrows_to_a_chain(personas, login, funded):
    response = login(personas.leader).get(DASHBOARD + f"?year=2025&month=6&chain={funded.pk}")

    assert response.status_code == 200
    assert response.json()["headline"]["funds_in_place_ytd"] == "1500.25"


def test_the_dashboard_defaults_to_the_last_complete_month(personas, login, funded):
    scope = login(personas.leader).get(DASHBOARD).json()["scope"]

    assert (scope["year"], scope["month"]) == (2025, 6)


@pytest.mark.parametrize("query", ["year=1900", "month=13", "month=8", "chain=abc", "place=9999"])
def test_bad_dashboard_filters_get_400(personas, login, query):
    response = login(personas.leader).get(f"{DASHBOARD}?year=2025&{query}")

    assert response.status_code == 400
    assert set(response.json()) <= {"year", "month", "chain", "place"}


# --- Reports ------------------------------------------------------------------------------


@pytest.fixture
def june_report(funded):
    return dispatch_services.report_generate_now(month=datetime.date(2025, 6, 1))


def test_an_admin_requests_a_report_and_gets_202_with_its_task(
    personas, login, funded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.admin).post(
            REPORTS, {"month": "2025-06"}, content_type="application/json"
        )

    assert response.status_code == 202, response.content
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert body["month"] == "2025-06"
    # The task id is written when the build is queued, after commit; here the build already
    # ran in-process before that, so only the key's presence is checked.
    assert "task_id" in body
    assert response["Location"].endswith(f"{REPORTS}{report.pk}/")
    # Celery runs in the test's process: the build has happened by now.
    status = login(personas.admin).get(f"{REPORTS}{report.pk}/").json()
    assert status["status"] == "done"
    assert status["progress"] == 100
    assert status["downloads"]["docx"].endswith("/download/?format=docx")


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader"])
def test_only_admins_request_reports(personas, login, who):
    response = login(getattr(personas, who)).post(
        REPORTS, {"month": "2025-06"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("month", ["2025-08", "2025-6", "June", ""])
def test_a_future_or_malformed_month_gets_400(personas, login, month):
    response = login(personas.admin).post(
        REPORTS, {"month": month}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "month" in response.json()
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_every_role_lists_and_reads_reports(personas, login, june_report, who):
    client = login(getattr(personas, who))

    rows = client.get(REPORTS).json()["results"]
    one = client.get(f"{REPORTS}{june_report.pk}/").json()

    assert [(r["id"], r["month"], r["version"]) for r in rows] == [(june_report.pk, "2025-06", 1)]
    assert one["status"] == "done"


def test_reports_filter_by_month(personas, login, june_report):
    dispatch_services.report_generate_now(month=datetime.date(2025, 5, 1))

    rows = login(personas.leader).get(REPORTS + "?month=2025-05").json()["results"]

    assert [r["month"] for r in rows] == ["2025-05"]


@pytest.mark.parametrize("who", ROLES)
def test_every_role_downloads_the_word_file(personas, login, june_report, who):
    response = login(getattr(personas, who)).get(f"{REPORTS}{june_report.pk}/download/?format=docx")

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "2025" in text


def test_the_excel_file_is_downloaded_too(personas, login, june_report):
    response = login(personas.leader).get(
        f"{REPORTS}{june_report.pk}/download/?format=xlsx", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames


def test_an_unknown_file_type_gets_400(personas, login, june_report):
    response = login(personas.leader).get(f"{REPORTS}{june_report.pk}/download/?format=csv")

    assert response.status_code == 400
    assert "format" in response.json()


def test_a_report_still_being_built_gets_409(personas, login):
    pending = Report.objects.create(month=datetime.date(2025, 6, 1), version=1)

    response = login(personas.leader).get(f"{REPORTS}{pending.pk}/download/?format=docx")

    assert response.status_code == 409
    assert "尚未生成完成" in response.json()["detail"]


@pytest.mark.parametrize("pk", ["999999", "null,null"])
def test_a_missing_report_is_404(personas, login, pk):
    response = login(personas.leader).get(f"{REPORTS}{pk}/download/?format=docx")

    assert response.status_code == 404


def test_anonymous_gets_no_report_file(personas, client, june_report):
    response = client.get(f"{REPORTS}{june_report.pk}/download/?format=docx")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


# --- The project ledger export ------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_every_role_exports_the_filtered_projects(personas, login, funded, who):
    factories.ProjectFactory(name="红色阶段项目", stage=Stage.RED)

    response = login(getattr(personas, who)).get("/api/v1/projects/export/?stage=red")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "红色阶段项目" in cells
    assert not [p.name for p in funded.projects.all() if p.name in cells]


def test_a_bad_export_filter_gets_400(personas, login):
    response = login(personas.leader).get("/api/v1/projects/export/?stage=purple")

    assert response.status_code == 400
    assert "stage" in response.json()


def test_a_control_character_in_a_name_or_an_export_filter_is_dropped_from_the_sheet(
    personas, login
):
    investor = factories.EnterpriseFactory(name="甘肃\x01测试合金有限公司")
    factories.ProjectFactory(name="高温\x0b合金项目", investor=investor)

    response = login(personas.leader).get("/api/v1/projects/export/?search=高温%0B合金")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "筛选条件：搜索：高温合金"
    cells = {c for row in sheet.iter_rows(min_row=5, values_only=True) for c in row}
    assert {"高温合金项目", "甘肃测试合金有限公司"} <= cells
