"""What a walk through the officer's and the leader's day found (issue 19), in a real browser:
a task-force member from another unit files progress; red → blue is filled in the move form
alone; the 督办 loop of a 批示; a project created without a code gets the next one; an English
browser gets Chinese; the problem list is cards on a 390 px phone with nothing cut off."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from org.models import User
from projects.models import Instruction, MonthlyProgress, Project
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def label_of(cell) -> str:
    """The label a card shows before a cell (CSS generated content, not in the text)."""
    return cell.evaluate("el => getComputedStyle(el, '::before').content")


@pytest.fixture
def units():
    zsj = factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    jkq = factories.UnitFactory(name="金昌经济技术开发区管委会", short_name="经开区管委会")
    ensure_demo_accounts()
    return {"zsj": zsj, "jkq": jkq}


def test_a_task_force_member_from_another_unit_files_progress(phone_page, log_in, units):
    member = User.objects.get(username="officer_zsj")
    project = factories.ProjectFactory(
        name="金属纳米粉体项目", unit=units["jkq"], stage=Stage.GREEN
    )
    project.team.add(member)

    log_in(phone_page, "officer_zsj", DEMO_PASSWORD)
    phone_page.goto(f"/projects/{project.pk}/")
    phone_page.get_by_role("link", name="填报月度进展").click()
    phone_page.fill("#id_investment_completed", "300")
    phone_page.fill("#id_funds_in_place", "200")
    phone_page.fill("#id_narrative", "设备进场")
    phone_page.get_by_role("button", name="保存").click()

    phone_page.wait_for_url(f"**/projects/{project.pk}/")
    assert MonthlyProgress.objects.get(project=project).filed_by == member
    # The whole history fits the phone as cards.
    row = phone_page.locator("#progress-table tbody tr").first
    assert label_of(row.locator("td[data-label]").first) == '"本月完成投资："'
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert fits_the_screen(phone_page)


def test_red_to_blue_is_filled_in_the_move_form_alone(page, log_in, units):
    project = factories.ProjectFactory(name="高温合金项目", unit=units["zsj"], stage=Stage.RED)
    signed = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    log_in(page, "officer_zsj", DEMO_PASSWORD)
    page.goto(f"/projects/{project.pk}/transition/")
    page.check("input[name=to][value=blue]")
    panel = page.locator(".req-panel[data-target=blue]")
    expect(panel).to_contain_text("升为蓝色需先填写签约投资")
    expect(panel.locator("li.unmet")).to_have_count(4)  # intent, signing, amount, reason
    page.fill("#id_intent_note", "企业决定在经开区投资")
    page.fill("#id_signed_on", signed)
    # Ticked as she types, before any submit.
    expect(panel.locator("li.unmet")).to_have_count(2)
    page.fill("#id_reason", "推介会上直接签约")
    page.get_by_role("button", name="确认变更").click()

    # Refused for the missing amount: what was typed is still there.
    expect(page.locator(".errorlist").first).to_contain_text("签约投资")
    assert page.input_value("#id_intent_note") == "企业决定在经开区投资"
    assert page.input_value("#id_signed_on") == signed
    page.fill("#id_contracted_investment", "26600")
    page.get_by_role("button", name="确认变更").click()

    expect(page.locator(".messages")).to_contain_text("变更为蓝色")
    expect(page.locator(".facts")).to_contain_text(f"自 {signed}")
    project.refresh_from_db()
    assert (project.stage, project.contracted_investment) == (Stage.BLUE, Decimal("26600"))


def test_the_instruction_loop(browser, live_server, log_in, units):
    project = factories.ProjectFactory(
        name="储能电池项目",
        unit=units["zsj"],
        stage=Stage.BLUE,
        leader=User.objects.get(username="leader_wang"),
    )
    deadline = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    def session(**options):
        context = browser.new_context(locale="zh-CN", base_url=live_server.url, **options)
        page = context.new_page()
        page.set_default_timeout(15000)
        return context, page

    leader_ctx, leader = session(viewport={"width": 1280, "height": 900})
    officer_ctx, officer = session(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        # 1. The leader gives a 批示 naming the unit and a deadline.
        log_in(leader, "leader_wang", DEMO_PASSWORD)
        leader.goto(f"/projects/{project.pk}/instructions/add/")
        leader.fill("#id_text", "请招商局十日内落实用地指标")
        leader.select_option("#id_unit", label="招商局")
        leader.fill("#id_deadline", deadline)
        leader.get_by_role("button", name="保存批示").click()
        expect(leader.locator(".instruction")).to_contain_text("待办理")

        # 2. The unit's officer finds it in 我的工作 on the phone and replies, closing it.
        log_in(officer, "officer_zsj", DEMO_PASSWORD)
        officer.goto("/projects/my-work/")
        item = officer.locator("#instructions-to-answer .instruction", has_text="用地指标")
        item.get_by_role("link", name="回复办理情况").click()
        officer.fill("#id_text", "已与自然资源局对接，指标已落实")
        officer.check("#id_done")
        officer.get_by_role("button", name="提交办理情况").click()
        officer.wait_for_url("**/projects/my-work/")
        expect(officer.locator("#instructions-to-answer")).to_contain_text("没有待办理的批示")
        assert fits_the_screen(officer)

        # 3. The leader sees it answered and done, on the project and in 我的项目.
        leader.goto("/projects/mine/")
        expect(leader.locator("#my-instructions")).to_contain_text("指标已落实")
        expect(leader.locator("#my-instructions")).to_contain_text("已办结")
        assert Instruction.objects.get().status == Instruction.Status.DONE
    finally:
        leader_ctx.close()
        officer_ctx.close()


def test_a_project_created_without_a_code_gets_the_next_one(page, log_in, units):
    factories.PlaceFactory(name="金昌经济技术开发区")
    factories.EnterpriseFactory(name="甘肃测试新材料有限公司")
    year = timezone.localdate().year

    log_in(page, "officer_zsj", DEMO_PASSWORD)
    page.goto("/projects/new/")
    expect(page.locator("#id_code")).to_have_attribute("placeholder", "留空自动编号")
    page.fill("#id_name", "年产2万吨正极材料项目")
    # The investor box searches as one types (projects.widgets): no list of thousands.
    page.fill('input[name="investor__search"]', "测试新材料")
    found = page.locator("#id_investor option", has_text="甘肃测试新材料有限公司")
    found.wait_for(state="attached")
    page.select_option("#id_investor", label="甘肃测试新材料有限公司")
    page.fill("#id_total_investment", "20000")
    page.select_option("#id_place", label="金昌经济技术开发区")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(re.compile(r"/projects/\d+/$"))
    code = f"JC-{year}-0001"
    expect(page.locator(".facts")).to_contain_text(code)
    assert Project.objects.get(name="年产2万吨正极材料项目").code == code


def test_an_english_browser_gets_chinese(browser, live_server, log_in, units):
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("button", name="登录")).to_be_visible()
        # English stays one click away, and the dashboard's charts draw in it without error.
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, "officer_zsj", DEMO_PASSWORD)
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        factories.ProjectFactory(unit=units["zsj"], stage=Stage.BLUE)
        page.goto("/dashboard/")
        page.locator("#chart-stage[data-drawn=true]").wait_for()
        expect(page.locator("#dash-text")).to_have_attribute("data-projects", "Projects")
        assert errors == []
    finally:
        context.close()


def test_the_problem_list_is_cards_on_a_phone_with_nothing_cut_off(phone_page, log_in, units):
    project = factories.ProjectFactory(name="铜加工项目", unit=units["zsj"])
    for n in range(3):
        factories.ProblemFactory(
            project=project,
            unit=units["zsj"],
            description=f"用地指标待落实{n}",
            deadline=timezone.localdate() + datetime.timedelta(days=5 + n),
        )

    log_in(phone_page, "officer_zsj", DEMO_PASSWORD)
    phone_page.goto("/projects/problems/")

    # The filters are folded, the list starts on the first screen.
    expect(phone_page.locator(".filter-box")).not_to_have_attribute("open", "")
    first = phone_page.locator("#problem-table tbody tr").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < 844
    # Every cell of a card, deadline and status included, lies within the screen.
    for label in ("办结时限", "状态"):
        cell = first.locator(f"td[data-label={label}]")
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 391, (label, box)
    assert fits_the_screen(phone_page)
    # The menu's entries do not break inside a word.
    phone_page.locator(".nav-toggle").click()
    entry = phone_page.get_by_role("link", name="我的工作")
    assert entry.bounding_box()["height"] < 40
