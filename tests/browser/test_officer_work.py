"""An officer's month on a phone: file the progress from "my work", raise a blocker and clear
it; then the leader who 包抓 the project finds it under "my projects"."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from org.models import User
from projects.models import MonthlyProgress, Problem
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_officer_files_progress_and_clears_a_problem_and_the_leader_sees_it(
    phone_page, page, log_in
):
    unit = factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()
    project = factories.ProjectFactory(
        name="年产11万吨废铅酸蓄电池处理项目",
        unit=unit,
        stage=Stage.GREEN,
        total_investment=Decimal("60000"),
        leader=User.objects.get(username="leader_wang"),
    )
    today = timezone.localdate()

    # 1. The officer opens "my work" on the phone and taps the project's progress button.
    log_in(phone_page, "officer_zsj", DEMO_PASSWORD)
    phone_page.goto("/projects/my-work/")
    row = phone_page.locator("#missing-progress li", has_text=project.name)
    row.get_by_role("link", name="填报进展").click()
    phone_page.wait_for_url(f"**/projects/{project.pk}/progress/add/")
    assert phone_page.input_value("#id_month") == today.strftime("%Y-%m")
    assert phone_page.get_attribute("#id_funds_in_place", "inputmode") == "decimal"
    assert fits_the_screen(phone_page)
    phone_page.fill("#id_investment_completed", "1250.5")
    phone_page.fill("#id_funds_in_place", "800")
    phone_page.fill("#id_narrative", "生产线调试完成")
    phone_page.fill("#id_next_steps", "申请试生产")
    phone_page.get_by_role("button", name="保存").click()
    phone_page.wait_for_url(f"**/projects/{project.pk}/")
    assert "的进展" in phone_page.locator(".messages").inner_text()
    entry = MonthlyProgress.objects.get(project=project)
    assert entry.month == today.replace(day=1)
    assert entry.investment_completed == Decimal("1250.50")

    # 2. The project has left the list of missing progress.
    phone_page.goto("/projects/my-work/")
    assert phone_page.locator("#missing-progress li", has_text=project.name).count() == 0

    # 3. A blocker is raised ...
    phone_page.goto(f"/projects/{project.pk}/problems/add/")
    phone_page.select_option("#id_category", label="环评")
    phone_page.fill("#id_description", "环评批复待省生态环境厅审查")
    phone_page.fill("#id_deadline", (today + datetime.timedelta(days=20)).isoformat())
    phone_page.get_by_role("button", name="保存").click()
    phone_page.wait_for_url(f"**/projects/{project.pk}/")
    problem = Problem.objects.get(project=project)
    assert problem.unit == unit

    # ... shows on "my work", and is cleared from there.
    phone_page.goto("/projects/my-work/")
    item = phone_page.locator("#open-problems li", has_text="环评批复待省生态环境厅审查")
    item.get_by_role("link", name="办结").click()
    phone_page.wait_for_url(f"**/projects/problems/{problem.pk}/resolve/**")
    assert fits_the_screen(phone_page)
    phone_page.fill("#id_resolution", "已取得环评批复")
    phone_page.get_by_role("button", name="确认办结").click()
    phone_page.wait_for_url("**/projects/my-work/")
    assert "问题已办结" in phone_page.locator(".messages").inner_text()
    assert "没有待解决的问题" in phone_page.locator("#open-problems").inner_text()
    problem.refresh_from_db()
    assert (problem.status, problem.resolved_on) == (Problem.Status.RESOLVED, today)

    # 4. The leader finds the project under "my projects", with this month's progress.
    log_in(page, "leader_wang", DEMO_PASSWORD)
    page.goto("/projects/my-work/")
    page.wait_for_url("**/projects/mine/")
    row = page.locator("#my-projects tbody tr", has_text=project.name)
    assert row.count() == 1
    assert f"{today.year}年{today.month}月" in row.inner_text()
    assert "生产线调试完成" in row.inner_text()
