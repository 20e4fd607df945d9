"""In chromium: the pages run under the Content-Security-Policy with no violation (no inline
script blocked, nothing from elsewhere), and a unit name carrying HTML is shown as text in the
dashboard's units-chart tooltip, never run."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboard.forms import default_period
from dashboard.models import AnnualTarget
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory
ATTACK = '<img src=x onerror="window.__xss=1">单位'

# Recorded by the browser itself, outside the page's policy.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def watched(page) -> list[str]:
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(WATCH_VIOLATIONS)
    return console


def test_the_pages_run_under_the_policy_without_a_violation(page, log_in):
    unit = factories.UnitFactory(name="甲单位")
    officer = factories.OfficerFactory(username="officer_csp", unit=unit)
    admin = factories.AdminFactory(username="admin_csp")
    project = factories.ProjectFactory(unit=unit, stage=Stage.ORANGE, name="内容安全策略项目")
    assert officer and admin
    console = watched(page)

    log_in(page, "officer_csp", PASSWORD)
    visited = {}
    for path in (
        "/projects/",
        "/projects/board/",
        "/projects/new/",
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/transition/",
        "/chains/",
        "/dashboard/",
        "/dispatch/",
        "/ledger/",
        "/api/docs/",
    ):
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        visited[path] = (response.status, page.evaluate("window.__violations"))

    assert {path: v for path, v in visited.items() if v[1]} == {}
    assert all(status == 200 for status, _v in visited.values()), visited
    assert console == []
    # The behaviours moved out of inline scripts still work: the filter box opens on a desktop.
    page.goto("/projects/")
    assert page.locator("details[data-open-on-desktop]").get_attribute("open") is not None


def test_a_unit_name_with_html_shows_as_text_in_the_units_tooltip(page, log_in):
    leader = factories.LeaderFactory(username="leader_xss")
    year, month = default_period(timezone.localdate())
    # The name a unit shows where it has no short name (short names hold 20 characters).
    unit = factories.UnitFactory(name=ATTACK, short_name="")
    project = factories.ProjectFactory(unit=unit, stage=Stage.GREEN, leader=leader)
    factories.ProgressFactory(
        project=project, month=datetime.date(year, month, 1), funds_in_place=Decimal("600")
    )
    AnnualTarget.objects.create(year=year, unit=unit, funds_in_place=Decimal("3000"))

    log_in(page, "leader_xss", PASSWORD)
    page.goto("/dashboard/")
    page.locator("#chart-units[data-drawn=true] canvas").first.wait_for()
    page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('chart-units'))
              .dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0})"""
    )
    tooltip = page.locator("#chart-units div", has_text="序时进度").last
    tooltip.wait_for()

    assert ATTACK.split("单位")[0] in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
