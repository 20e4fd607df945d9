"""An officer's day with a project, in a real browser: file it, then move its color card from
red to green, supplying what each move needs."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from projects.models import Project
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer_zsj():
    factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()
    return {
        "place": factories.PlaceFactory(name="金昌经济技术开发区"),
        "chain": factories.ChainFactory(name="资源综合利用"),
        "investor": factories.EnterpriseFactory(name="甘肃拓拓环保科技有限公司"),
    }


def move_card(page, target_label, **fields):
    page.get_by_role("link", name="变更色卡").click()
    expect(page.locator("h1")).to_contain_text("变更色卡")
    # The board's and the page's button proposes the next stage.
    checked = page.locator("input[name=to]:checked")
    expect(checked.locator("xpath=..")).to_contain_text(target_label)
    for selector, value in fields.items():
        page.fill(f"#id_{selector}", value)
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator(".messages")).to_contain_text(f"变更为{target_label}")


def test_an_officer_files_a_project_and_moves_it_to_green(page, log_in, officer_zsj):
    today = datetime.date.today()
    signed = (today - datetime.timedelta(days=40)).isoformat()
    started = (today - datetime.timedelta(days=10)).isoformat()
    log_in(page, "officer_zsj", DEMO_PASSWORD)

    page.goto("/projects/new/")
    page.fill("#id_code", "JC-2025-TT01")
    page.fill("#id_name", "年产11万吨废铅酸蓄电池处理项目")
    # The investor box searches as one types (projects.widgets): no list of thousands.
    page.fill('input[name="investor__search"]', "拓拓")
    found = page.locator("#id_investor option", has_text="甘肃拓拓环保科技有限公司")
    found.wait_for(state="attached")
    page.select_option("#id_investor", label="甘肃拓拓环保科技有限公司")
    page.fill("#id_total_investment", "30000")
    page.select_option("#id_chain", label="资源综合利用")
    page.select_option("#id_place", label="金昌经济技术开发区")
    expect(page.locator("#id_unit option:checked")).to_have_text("招商局")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    expect(page.locator("h1 .badge.stage-red")).to_be_visible()

    # Orange needs the intent, which the move itself records.
    move_card(page, "橙色", intent_note="企业在兰洽会期间表达了较强投资意向")
    expect(page.locator("h1 .badge.stage-orange")).to_be_visible()

    # Blue needs the signing date and the contracted amount, both asked by the move itself.
    page.get_by_role("link", name="变更色卡").click()
    expect(page.locator("#id_signed_on")).to_be_visible()
    expect(page.locator("#id_contracted_investment")).to_be_visible()
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator(".errorlist").first).to_contain_text("升为蓝色需先填写签约日期")
    page.fill("#id_signed_on", signed)
    page.fill("#id_contracted_investment", "28000")
    page.get_by_role("button", name="确认变更").click()
    expect(page.locator(".messages")).to_contain_text("变更为蓝色")

    # Green needs the actual start date.
    move_card(page, "绿色", started_on=started)

    expect(page.locator("h1 .badge.stage-green")).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(4)
    project = Project.objects.get(code="JC-2025-TT01")
    assert project.stage == Stage.GREEN
    assert (project.signed_on.isoformat(), project.started_on.isoformat()) == (signed, started)
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == [
        "red",
        "orange",
        "blue",
        "green",
    ]


def test_the_ledger_scrolls_sideways_on_a_phone(phone_page, log_in, officer_zsj):
    factories.ProjectFactory(name="手机上查看的项目", place=officer_zsj["place"])
    log_in(phone_page, "officer_zsj", DEMO_PASSWORD)

    phone_page.goto("/projects/")

    expect(phone_page.get_by_role("link", name="手机上查看的项目")).to_be_visible()
    wrap = phone_page.locator(".table-wrap.ledger")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    # The page itself does not overflow: only the table scrolls.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
