"""An officer uploads a county ledger as offices keep it (title, 填报日期, merged two-row
header in 亿元, a section, totals, a signature line) and sees, before committing, what each
converted cell will become and which rows are skipped."""

import datetime

import pytest

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from projects.models import Project
from tests import factories
from tests.ledger_files import workbook
from tests.test_ledger_shapes import county_sheet

pytestmark = pytest.mark.django_db(transaction=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_officer_checks_a_county_ledger_in_the_preview_and_commits_it(page, log_in):
    factories.UnitFactory(name="甲单位", short_name="甲单位")
    ensure_demo_accounts()
    factories.PlaceFactory(name="金川区")
    factories.ChainFactory(name="有色金属新材料")
    leader = factories.LeaderFactory(username="leader_wang")
    leader.full_name = "王明远"
    leader.save()
    content = workbook(county_sheet())

    log_in(page, "admin", DEMO_PASSWORD)
    page.goto("/ledger/")
    page.set_input_files(
        "input[type=file]", files=[{"name": "金川区台账.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    page.get_by_role("button", name="上传并检查").click()

    page.wait_for_selector("text=导入预览")
    text = page.content()
    assert "读取工作表“金川区”：表头在第 3—4 行，2 行数据。" in text
    assert "总投资（万元）：12.6（亿元） → 126000万元" in text
    assert "签约日期：6月26日 → 2025-06-26（年份取自台账）" in text
    assert page.locator('tr[data-status="skipped"]').count() == 4
    assert not Project.objects.exists()

    page.get_by_role("button", name="确认导入").click()

    page.wait_for_selector("text=导入完成")
    project = Project.objects.get(name="年产3万吨高温合金棒材项目")
    assert (project.total_investment, project.signed_on) == (126000, datetime.date(2025, 6, 26))
