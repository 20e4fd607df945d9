"""An officer uploads a ledger in the browser, sees the preview, commits it."""

import datetime

import pytest

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from ledger import services
from ledger.models import ImportJob
from org.models import Unit, User
from projects.models import Project, StageChange
from projects.stages import Stage
from tests import factories
from tests.ledger_files import project_row, upload, xlsx

pytestmark = pytest.mark.django_db(transaction=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_officer_uploads_a_ledger_sees_the_preview_and_commits_it(page, log_in):
    factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()
    factories.PlaceFactory(name="金川区")
    chain = factories.ChainFactory(name="有色金属新材料")
    factories.ChainLinkFactory(chain=chain, name="镍基合金")
    content = xlsx(
        [
            project_row(责任单位="招商局", 包抓市级领导=None),
            project_row(
                项目名称="年产1万吨硅碳负极材料项目",
                投资方="甘肃测试负极材料有限公司",
                责任单位="招商局",
                包抓市级领导=None,
                色卡阶段="蓝色",
                合作意向="已签订投资协议",
                签约日期="2025年6月26日",
                **{"签约投资（万元）": 30000},
            ),
        ]
    )

    log_in(page, "officer_zsj", DEMO_PASSWORD)
    page.goto("/ledger/")
    page.set_input_files(
        "input[type=file]", files=[{"name": "招商局台账.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    page.get_by_role("button", name="上传并检查").click()

    page.wait_for_selector("text=导入预览")
    assert page.locator('tr[data-status="new"]').count() == 2
    assert "新建企业：甘肃测试负极材料有限公司" in page.content()
    assert not Project.objects.exists()

    page.get_by_role("button", name="确认导入").click()

    page.wait_for_selector("text=导入完成")
    unit = Unit.objects.get(short_name="招商局")
    assert Project.objects.filter(unit=unit).count() == 2
    blue = Project.objects.get(name="年产1万吨硅碳负极材料项目")
    assert (blue.stage, blue.signed_on) == (Stage.BLUE, datetime.date(2025, 6, 26))
    move = StageChange.objects.get(project=blue)
    assert (move.reason, move.changed_by.username) == ("Excel导入", "officer_zsj")


def test_the_job_page_follows_a_running_import_and_then_shows_its_result(page, log_in):
    unit = factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()
    factories.PlaceFactory(name="金川区")
    factories.ChainLinkFactory(chain=factories.ChainFactory(name="有色金属新材料"), name="镍基合金")
    officer = User.objects.get(username="officer_zsj")
    job = upload(xlsx([project_row(责任单位="招商局", 包抓市级领导=None)]), officer)
    # The commit has been asked for (without queueing it here) and a worker is 40% through.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMITTING)
    job.refresh_from_db()
    job.report_progress(40)

    log_in(page, "officer_zsj", DEMO_PASSWORD)
    page.goto(f"/ledger/jobs/{job.pk}/")
    page.wait_for_selector("#job-status >> text=40%")
    assert not Project.objects.exists()

    services.job_commit(job_id=job.pk)  # the worker finishes; the page polls and reloads

    page.wait_for_selector("text=导入完成")
    assert Project.objects.filter(unit=unit).count() == 1
