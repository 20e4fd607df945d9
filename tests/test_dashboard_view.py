"""The dashboard page: who may see it, its filters, its drill-down links, its query budget."""

import datetime
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.models import AnnualTarget
from projects.stages import Stage
from tests import factories
from tests.test_figures import build_portfolio

TZ = ZoneInfo("Asia/Shanghai")
URL = reverse("dashboard:index")


@pytest.fixture(autouse=True)
def mid_june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 12, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def projects(personas):
    """Two projects of the leader's and one of nobody's, with May 2025 funds in place."""
    chain = factories.ChainFactory(name="新能源和新能源电池", short_name="新能源")
    other_chain = factories.ChainFactory(name="化工循环", short_name="化工")
    mine = factories.ProjectFactory(
        name="领导包抓的项目", stage=Stage.GREEN, leader=personas.leader, chain=chain
    )
    also_mine = factories.ProjectFactory(
        name="领导包抓的第二个项目", stage=Stage.BLUE, leader=personas.leader, chain=chain
    )
    other = factories.ProjectFactory(name="别人的项目", stage=Stage.RED, chain=other_chain)
    for project, funds in ((mine, "1200"), (also_mine, "300"), (other, "4000")):
        factories.ProgressFactory(
            project=project, month=datetime.date(2025, 5, 1), funds_in_place=Decimal(funds)
        )
    return mine, also_mine, other


def page_data(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="dash-data" type="application/json">')
    start = text.index(">", start) + 1
    return json.loads(text[start : text.index("</script>", start)])


# --- who may see it ------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_sees_the_dashboard(login, personas, projects, persona):
    response = login(getattr(personas, persona)).get(URL)
    assert response.status_code == 200
    assert "领导驾驶舱" in response.content.decode()
    assert page_data(response)["headline"]["funds_in_place_ytd"] == "5500.00"


def test_a_user_without_a_role_is_refused(login, db):
    response = login(factories.UserFactory(username="no_role")).get(URL)
    assert response.status_code == 403


def test_only_a_leader_gets_the_my_projects_switch(login, personas):
    assert 'id="mine-toggle"' in login(personas.leader).get(URL).content.decode()
    assert 'id="mine-toggle"' not in login(personas.officer_a).get(URL).content.decode()


# --- what it shows -------------------------------------------------------------------------


def test_it_runs_to_the_end_of_the_last_complete_month_by_default(login, personas, projects):
    response = login(personas.leader).get(URL)
    data = page_data(response)
    assert (data["scope"]["year"], data["scope"]["month"]) == (2025, 5)
    assert "截至2025年5月底" in response.content.decode()


def test_in_january_it_shows_the_new_year_so_far(login, personas):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, tzinfo=TZ), tick=False):
        data = page_data(login(personas.leader).get(URL))
    assert (data["scope"]["year"], data["scope"]["month"]) == (2026, 1)


def test_the_headline_numbers_are_plain_html(login, personas, projects):
    text = login(personas.leader).get(URL).content.decode()
    assert "5,500.00万元" in text  # readable and printable without JavaScript
    assert 'id="chart-stage"' in text
    assert "vendor/echarts.min.js" in text


def test_a_leader_switches_to_their_own_portfolio_with_one_click(login, personas, projects):
    client = login(personas.leader)
    text = client.get(URL + "?year=2025&month=5").content.decode()
    assert 'href="?year=2025&amp;month=5&amp;mine=1"' in text

    response = client.get(URL + "?year=2025&month=5&mine=1")

    data = page_data(response)
    assert data["scope"]["leader_id"] == personas.leader.pk
    assert data["headline"]["funds_in_place_ytd"] == "1500.00"
    assert "我包抓的项目" in response.content.decode()
    # The drill-down links keep the portfolio.
    assert (
        f"figure=stage&amp;year=2025&amp;month=5&amp;at_stage=green&amp;leader={personas.leader.pk}"
        in response.content.decode()
        or f"leader={personas.leader.pk}&amp;figure=stage" in response.content.decode()
    )


def test_an_officer_asking_for_my_projects_still_sees_everything(login, personas, projects):
    data = page_data(login(personas.officer_a).get(URL + "?mine=1"))
    assert data["scope"]["leader_id"] is None
    assert data["headline"]["funds_in_place_ytd"] == "5500.00"


def test_the_chain_filter_narrows_figures_and_links(login, personas, projects):
    chain = projects[0].chain
    response = login(personas.leader).get(URL, {"year": 2025, "month": 5, "chain": chain.pk})
    data = page_data(response)
    assert data["headline"]["funds_in_place_ytd"] == "1500.00"
    assert (
        f'href="/projects/?chain={chain.pk}&amp;figure=stage&amp;year=2025&amp;month=5'
        '&amp;at_stage=blue"' in response.content.decode()
    )


def test_every_chart_row_carries_its_drill_down(login, personas, projects):
    data = page_data(login(personas.leader).get(URL))
    assert data["list_url"] == reverse("projects:list")
    period = f"year={data['scope']['year']}&month={data['scope']['month']}"
    assert [row["query"] for row in data["by_stage"]][:4] == [
        f"figure=stage&{period}&at_stage={stage}" for stage in ("red", "orange", "blue", "green")
    ]
    assert all(row["query"].startswith("chain=") for row in data["by_chain"])


def test_the_scoreboard_marks_a_unit_behind_its_time_progress(login, personas, projects):
    unit = projects[0].unit
    AnnualTarget.objects.create(year=2025, unit=unit, funds_in_place=Decimal("10000"))
    text = login(personas.leader).get(URL).content.decode()
    # 1200 of 10000 = 12%, 29.67 points behind 41.67%: yellow.
    assert "黄色提示" in text
    assert "29.67" in text


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["year=abc", "month=13", "month=0", "chain=999999", "place=x", "year=1900", "unit=-1"],
)
def test_bad_filters_fall_back_to_defaults_with_a_message(login, personas, projects, query):
    response = login(personas.leader).get(URL + "?" + query)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    data = page_data(response)
    assert (data["scope"]["year"], data["scope"]["month"]) == (2025, 5)
    assert data["scope"]["chain_id"] is None


def test_it_refuses_a_future_month(login, personas, projects):
    response = login(personas.leader).get(URL + "?year=2025&month=9")
    assert "不能选择未来的月份" in response.content.decode()
    assert page_data(response)["scope"]["month"] == 5


def test_a_past_year_without_a_month_runs_to_december(login, personas, projects):
    data = page_data(login(personas.leader).get(URL + "?year=2024"))
    assert (data["scope"]["year"], data["scope"]["month"]) == (2024, 12)


# --- query budget --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 50])
def test_the_page_takes_the_same_queries_at_any_size(login, personas, size):
    build_portfolio(size)
    client = login(personas.leader)
    # The first read builds the closed months' MonthEnd rows (projects.month_ends).
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert page_data(response)["headline"]["funds_in_place_ytd"] == str(
        Decimal(10 * 5 * size).quantize(Decimal("0.01"))
    )
    # Session, user and roles (3), the figures (25, see tests/test_figures.py, less the
    # month's list of moves, which the page does not show), the filter form's chain, place and
    # unit choices (3).
    assert len(queries.captured_queries) == 30


def test_the_filters_show_the_period_the_figures_cover(login, personas):
    text = login(personas.leader).get(URL).content.decode()
    assert '<option value="2025" selected>' in text
    assert '<option value="5" selected>' in text


def test_the_citys_own_figures_sit_beside_ours(login, personas, projects):
    # seeds/figures.yaml: 153.29亿元 in place by the end of May 2025, up 42.19%.
    text = login(personas.leader).get(URL + "?year=2025&month=5").content.decode()
    assert "市里公布：153.29亿元，同比42.19%" in text


def test_a_filtered_view_shows_no_citywide_figure(login, personas, projects):
    chain = projects[0].chain
    text = login(personas.leader).get(URL, {"chain": chain.pk}).content.decode()
    assert "市里公布" not in text
