"""The dashboard in a real browser: the charts are drawn from the page's figures, a chart
element and a headline card open the project list with the matching filters, and the page
fits a tablet and prints without its controls.

Time is not frozen here: the browser checks cookie expiry against the real clock, so the data
is placed in the month the dashboard shows by default (its cards entered the board on that
month's first day: the figures are as of the month's end, from the history).
"""

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from dashboard.forms import default_period
from projects.models import Project, StageChange
from projects.periods import aware
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory


@pytest.fixture
def leader_with_projects():
    leader = factories.LeaderFactory(username="leader_dash", full_name="驾驶舱领导")
    year, month = default_period(timezone.localdate())
    chain = factories.ChainFactory(name="有色金属新材料", short_name="有色")
    projects = {}
    for stage, names in (
        (Stage.RED, ["红卡项目一", "红卡项目二", "红卡项目三"]),
        (Stage.BLUE, ["蓝卡项目一", "蓝卡项目二"]),
        (Stage.GREEN, ["绿卡项目"]),
    ):
        for name in names:
            projects[name] = factories.ProjectFactory(
                name=name, stage=stage, chain=chain, leader=leader
            )
    factories.ProgressFactory(
        project=projects["绿卡项目"],
        month=datetime.date(year, month, 1),
        funds_in_place=Decimal("1200"),
    )
    backdate(year, month)
    return leader, year


def backdate(year: int, month: int) -> None:
    """Every card entered the board on the first of the dashboard's month."""
    start = aware(datetime.date(year, month, 1))
    StageChange.objects.update(changed_at=start)
    Project.objects.update(created_at=start, stage_changed_at=start)


def period_query(**extra) -> dict:
    year, month = default_period(timezone.localdate())
    return {"year": [str(year)], "month": [str(month)], **extra}


def chart_values(page, element_id: str, series: int = 0) -> list:
    return page.evaluate(
        """([id, series]) => echarts.getInstanceByDom(document.getElementById(id))
              .getOption().series[series].data
              .map(d => (d && d.value !== undefined) ? d.value : d)""",
        [element_id, series],
    )


def test_a_leader_sees_the_charts_and_a_bar_opens_the_matching_project_list(
    page, log_in, leader_with_projects
):
    log_in(page, "leader_dash", PASSWORD)
    page.goto("/dashboard/")

    for chart in ("stage", "monthly", "chain", "place", "funnel"):
        page.locator(f"#chart-{chart}[data-drawn=true] canvas").first.wait_for()
    # The stage chart is drawn from the figures: 3 red, 0 orange, 2 blue, 1 green.
    assert chart_values(page, "chart-stage")[:4] == [3, 0, 2, 1]
    assert page.locator("#card-funds .value").inner_text() == "1,200.00万元"

    # Click the middle of the blue bar (category 2), where ECharts says it is drawn.
    x, y = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('chart-stage'))
              .convertToPixel({seriesIndex: 0}, [2, 1])"""
    )
    box = page.locator("#chart-stage").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)

    url = urlsplit(page.url)
    assert url.path == "/projects/"
    assert parse_qs(url.query) == period_query(figure=["stage"], at_stage=["blue"])
    listing = page.content()
    assert "蓝卡项目一" in listing and "蓝卡项目二" in listing
    assert "红卡项目一" not in listing


def test_a_headline_card_opens_the_years_signings(page, log_in, leader_with_projects):
    _, year = leader_with_projects
    log_in(page, "leader_dash", PASSWORD)
    page.goto("/dashboard/")

    with page.expect_navigation():
        page.click("#card-signings")

    url = urlsplit(page.url)
    assert url.path == "/projects/"
    assert parse_qs(url.query) == period_query(figure=["new_signings"])


def test_my_projects_is_one_click_and_the_links_follow_it(page, log_in, leader_with_projects):
    leader, _ = leader_with_projects
    factories.ProjectFactory(name="别的领导的项目", stage=Stage.RED)
    backdate(*default_period(timezone.localdate()))
    log_in(page, "leader_dash", PASSWORD)
    page.goto("/dashboard/")
    page.locator("#chart-stage[data-drawn=true]").wait_for()
    assert chart_values(page, "chart-stage")[0] == 4

    with page.expect_navigation():
        page.click("#mine-toggle")

    assert "mine=1" in page.url
    page.locator("#chart-stage[data-drawn=true]").wait_for()
    assert chart_values(page, "chart-stage")[0] == 3
    href = page.locator("#table-stage a").first.get_attribute("href")
    assert parse_qs(urlsplit(href).query) == period_query(
        leader=[str(leader.pk)], figure=["stage"], at_stage=["red"]
    )


def test_the_dashboard_fits_a_tablet_and_prints_without_its_controls(
    browser, live_server, log_in, leader_with_projects
):
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 820, "height": 1180}
    )
    page = context.new_page()
    try:
        log_in(page, "leader_dash", PASSWORD)
        page.goto("/dashboard/")
        page.locator("#chart-stage[data-drawn=true]").wait_for()
        chart_width = page.locator("#chart-stage").bounding_box()["width"]
        assert 0 < chart_width <= 820
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

        page.emulate_media(media="print")
        assert not page.locator("form.filters").is_visible()
        assert not page.locator("#mine-toggle").is_visible()
        assert page.locator("#card-funds .value").is_visible()
        assert len(page.pdf()) > 10_000
    finally:
        context.close()


def list_total(page) -> int:
    """The project count in the list's footer ("合计 N 个项目")."""
    text = page.locator("tfoot tr.totals td").first.inner_text()
    return int("".join(ch for ch in text if ch.isdigit()))


def number_in(text: str) -> int:
    return int(re.search(r"\d+", text.replace(",", "")).group())


def test_a_leader_reads_the_same_number_on_the_list_each_figure_opens(
    page, log_in, leader_with_projects
):
    log_in(page, "leader_dash", PASSWORD)
    # (the figure as shown, the link that opens its list)
    figures = [
        ("#card-in-progress .value", "#card-in-progress"),
        ("#table-stage tbody tr:nth-child(3) td.num a", "#table-stage tbody tr:nth-child(3) a"),
        ("#card-start-rate .sub", "#card-start-rate"),
    ]
    for shown_at, link in figures:
        page.goto("/dashboard/")
        shown = page.locator(shown_at).first.inner_text()
        # The start-rate card says "已开工 s / 年度重点项目 n 个" and opens the n.
        expected = number_in(shown.split("/")[-1])
        with page.expect_navigation():
            page.locator(link).first.click()
        assert list_total(page) == expected, (shown_at, shown)
