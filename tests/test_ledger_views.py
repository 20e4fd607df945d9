"""The ledger's pages for each persona: export (everyone logged in), upload, preview and commit
(officers and admins; a job is its uploader's, admins see all), template downloads."""

from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ledger import exports
from ledger.models import ImportJob
from projects.models import Project
from tests import factories
from tests.ledger_files import TODAY, project_row, reference_data, snapshot, upload, xlsx

pytestmark = pytest.mark.django_db
PERSONAS = ["officer_a", "officer_b", "leader", "admin", "anonymous"]
KINDS = ["projects", "progress", "problems", "events", "opportunities", "targets", "taskforces"]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def refs(personas):
    return reference_data(personas)


@pytest.fixture
def as_persona(personas, client):
    def _as(name):
        if name != "anonymous":
            client.force_login(getattr(personas, name))
        return client

    return _as


@pytest.fixture
def job(personas, refs):
    """A clean preview uploaded by officer A."""
    return upload(xlsx([project_row()]), personas.officer_a)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_list_exports_for_everyone_logged_in(persona, kind, as_persona, refs):
    factories.ProjectFactory()

    response = as_persona(persona).get(reverse("ledger:export", args=[kind]))

    if persona == "anonymous":
        assert _is_login_redirect(response)
        return
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    assert load_workbook(BytesIO(response.content)).worksheets[0]["A4"].value


def test_the_export_url_is_the_one_the_list_pages_link_to(as_persona, personas, refs):
    assert reverse("ledger:export", args=["projects"]) == "/ledger/export/projects/"

    response = as_persona("leader").get(f"/ledger/export/projects/?unit={personas.unit_a.pk}")

    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "筛选条件：责任单位：甲单位"


def test_an_unknown_export_is_not_found_and_a_bad_filter_is_a_clear_400(as_persona):
    client = as_persona("leader")

    assert client.get("/ledger/export/salaries/").status_code == 404
    response = client.get("/ledger/export/projects/?unit=abc")
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()


@pytest.mark.parametrize("query", ["signed_year=0", "started_year=10000", "event=-5e111"])
def test_an_out_of_range_year_or_event_is_a_clear_400(as_persona, query):
    response = as_persona("leader").get(f"/ledger/export/projects/?{query}")

    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()


def test_a_control_character_in_a_name_or_a_filter_is_dropped_not_a_server_error(as_persona):
    investor = factories.EnterpriseFactory(name="甘肃\x01测试合金有限公司")
    factories.ProjectFactory(name="高温\x0b合金项目", investor=investor)

    response = as_persona("leader").get("/ledger/export/projects/?search=高温%0B合金")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    assert sheet["A2"].value == "筛选条件：搜索：高温合金"
    cells = {c for row in sheet.iter_rows(min_row=5, values_only=True) for c in row}
    assert {"高温合金项目", "甘肃测试合金有限公司"} <= cells


# --- Upload ---------------------------------------------------------------------------------------

UPLOAD_PAGE = {"officer_a": 200, "officer_b": 200, "leader": 403, "admin": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_upload_page_is_for_officers_and_admins(persona, as_persona):
    response = as_persona(persona).get(reverse("ledger:import"))

    if persona == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == UPLOAD_PAGE[persona]
    if response.status_code == 200:
        page = response.content.decode()
        assert "上传并检查" in page
        assert reverse("ledger:template", args=["projects"]) in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_uploading_a_ledger_previews_it_for_officers_and_admins(
    persona, as_persona, refs, django_capture_on_commit_callbacks
):
    content = xlsx([project_row(责任单位="甲单位")])

    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona(persona).post(
            reverse("ledger:import"),
            {"kind": "projects", "file": SimpleUploadedFile("台账.xlsx", content)},
        )

    if persona == "anonymous":
        assert _is_login_redirect(response)
    elif persona == "leader":
        assert response.status_code == 403
    else:
        job = ImportJob.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("ledger:job", args=[job.pk])
        assert job.status == ImportJob.Status.PREVIEWED  # the task ran after the commit
        expected = "error" if persona == "officer_b" else "new"
        assert job.preview["rows"][0]["status"] == expected
        return
    assert not ImportJob.objects.exists()


def test_an_upload_that_is_not_excel_is_refused_on_the_form(as_persona):
    # Changed with issue #15: .xls is read now; a .csv is still refused on the form.
    response = as_persona("officer_a").post(
        reverse("ledger:import"),
        {"kind": "projects", "file": SimpleUploadedFile("台账.csv", b"a,b\n1,2\n")},
    )

    assert response.status_code == 200
    assert "请上传 Excel 文件（.xlsx 或 .xls）" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- A job's page ---------------------------------------------------------------------------------

JOB_PAGE = {"officer_a": 200, "officer_b": 404, "leader": 404, "admin": 200}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_jobs_page_is_for_its_uploader_and_admins(persona, as_persona, job):
    response = as_persona(persona).get(reverse("ledger:job", args=[job.pk]))

    if persona == "anonymous":
        assert _is_login_redirect(response)
        return
    assert response.status_code == JOB_PAGE[persona]
    if response.status_code == 200:
        page = response.content.decode()
        assert "年产5万吨高温合金项目" in page
        assert "新增" in page
        # Only the uploader is offered the commit.
        assert ("确认导入" in page) == (persona == "officer_a")


def test_the_preview_shows_each_bad_cell_and_offers_no_commit(personas, refs, as_persona):
    bad = upload(
        xlsx([project_row(), project_row(项目名称="乙", 责任单位="工信")]), personas.officer_a
    )

    page = as_persona("officer_a").get(reverse("ledger:job", args=[bad.pk])).content.decode()

    assert "责任单位：未找到责任单位“工信”。您是否指：工信局？" in page
    assert "有 1 行错误" in page
    assert "确认导入" not in page

    errors_only = as_persona("officer_a").get(
        reverse("ledger:job", args=[bad.pk]), {"status": "error"}
    )
    assert errors_only.content.decode().count('data-status="error"') == 1
    assert 'data-status="new"' not in errors_only.content.decode()


def test_a_refused_files_page_says_why(personas, as_persona):
    failed = upload(b"not a workbook", personas.officer_a)

    page = as_persona("officer_a").get(reverse("ledger:job", args=[failed.pk])).content.decode()

    assert failed.status == ImportJob.Status.FAILED
    assert "文件未能导入" in page
    assert "文件不是有效的 Excel 工作簿（.xlsx 或 .xls）" in page


def test_the_status_poll_shows_progress_while_running_and_asks_for_a_reload_after(
    personas, as_persona, job
):
    client = as_persona("officer_a")
    url = reverse("ledger:job_status", args=[job.pk])

    finished = client.get(url)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMITTING)
    job.status = ImportJob.Status.COMMITTING
    job.report_progress(42)
    running = client.get(url)

    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    assert running.status_code == 200
    assert "42%" in running.content.decode()
    assert 'hx-trigger="every 1s"' in running.content.decode()


# --- Commit ---------------------------------------------------------------------------------------

COMMIT = {"officer_a": 302, "officer_b": 404, "leader": 404, "admin": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_uploader_commits_a_job(
    persona, as_persona, job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona(persona).post(reverse("ledger:commit", args=[job.pk]))

    job.refresh_from_db()
    if persona == "anonymous":
        assert _is_login_redirect(response)
    else:
        assert response.status_code == COMMIT[persona]
    if persona == "officer_a":
        assert job.status == ImportJob.Status.DONE
        assert Project.objects.filter(name="年产5万吨高温合金项目").exists()
    else:
        assert job.status == ImportJob.Status.PREVIEWED
        assert not Project.objects.exists()


def test_a_commit_is_refused_with_a_message_while_rows_have_errors(personas, refs, as_persona):
    bad = upload(xlsx([project_row(责任单位="工信")]), personas.officer_a)
    before = snapshot()

    response = as_persona("officer_a").post(reverse("ledger:commit", args=[bad.pk]), follow=True)

    assert "文件中有 1 行错误，须全部改正后重新上传，才能导入。" in response.content.decode()
    assert snapshot() == before


def test_the_commit_button_is_a_get_free_post(as_persona, job):
    assert as_persona("officer_a").get(reverse("ledger:commit", args=[job.pk])).status_code == 405


# --- Templates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["projects", "progress"])
def test_the_templates_download_for_everyone_logged_in(persona, kind, as_persona, refs):
    response = as_persona(persona).get(reverse("ledger:template", args=[kind]))

    if persona == "anonymous":
        assert _is_login_redirect(response)
        return
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert [s.title for s in workbook.worksheets] == ["导入模板", "填写说明"]
    assert workbook.worksheets[0].max_row == 2  # headers and one example row


def test_the_untouched_template_is_refused_as_an_example(personas, refs, as_persona):
    content = as_persona("officer_a").get(reverse("ledger:template", args=["projects"])).content

    job = upload(content, personas.officer_a)

    assert job.preview["rows"][0]["errors"] == [
        ["项目名称", "这是导入模板中的示例行，请删除后再导入。"]
    ]


def test_the_template_filled_in_imports(personas, refs, as_persona):
    content = as_persona("officer_a").get(reverse("ledger:template", args=["projects"])).content
    workbook = load_workbook(BytesIO(content))
    workbook.worksheets[0]["B2"] = "年产2万吨装配式钢结构建筑产品生产线"
    buffer = BytesIO()
    workbook.save(buffer)

    job = upload(buffer.getvalue(), personas.officer_a)

    assert job.summary["new"] == 1, job.preview
