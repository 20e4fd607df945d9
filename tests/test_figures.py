"""Every figure of dashboard.figures against a data set built by hand.

Today is 15 June 2025; the figures run to the end of May 2025 unless a test says otherwise.
The projects (amounts in 万元; "funds" = funds in place of a month):

    A  green, key 20000 (contracted 18000), unit 甲, chain 1, place 1, leader; signed 2024-03,
       started 2024-06; funds 2024-05 100, 2024-12 300 (year boundary), 2025-01 200,
       2025-05 150, 2025-06 999 (after the period)
    B  red, key 6000, unit 乙: orange in March, downgraded to red on 20 May; no leader
    C  dropped on 10 April 2025, key 10000, unit 乙, signed 2024-09; funds 2025-02 50
    D  blue, 3000 (no contracted figure), unit 甲, signed 2025-02, blue on 8 May; funds 2025-03 500
    E  in operation since 2023, 4000, unit 丙; funds 2024-01 80
    F  green, key 9000 (contracted 8000), unit 甲, leader, signed 2025-03, started 10 May;
       funds 2025-05 400; unit 甲 uses a project butler and F has none
    G  red, 500, unit 丙, entered on 12 May 2025
    H  orange, key 7000, unit 乙, signed 2025-04; no leader
    I  dropped in November 2024, 5000 (not key: key is above 5000), unit 丙, signed 2024-02;
       funds 2024-03 60
    J  in operation since 25 May 2025, 4000, unit 丙, signed 2023, started 2024; funds 2025-04 1000
"""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from dashboard import figures
from dashboard.figures import Scope
from dashboard.models import AnnualTarget, StageWeight
from projects import month_totals, watch
from projects.models import MonthlyProgress, Problem, Project, StageChange
from projects.stages import Stage
from tests import factories
from tests.properties import db_examples, rolled_back

TZ = ZoneInfo("Asia/Shanghai")
D = Decimal


def at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=12, tzinfo=TZ)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def make_project(name, *, history, progress=(), team=(), **fields):
    """A project whose card went through `history` [(date, stage, reason)], with its progress
    [(month, funds in place, investment completed)]."""
    stage = history[-1][1]
    project = factories.ProjectFactory(name=name, stage=stage, **fields)
    StageChange.objects.filter(project=project).delete()
    previous = ""
    for when, to_stage, *reason in history:
        StageChange.objects.create(
            project=project,
            from_stage=previous,
            to_stage=to_stage,
            changed_at=at(when),
            reason=reason[0] if reason else "",
        )
        previous = to_stage
    Project.objects.filter(pk=project.pk).update(stage_changed_at=at(history[-1][0]))
    for month, funds, investment in progress:
        factories.ProgressFactory(
            project=project,
            month=day(month + "-01"),
            funds_in_place=D(funds),
            investment_completed=D(investment),
        )
    if team:
        project.team.set(team)
    project.refresh_from_db()
    return project


@pytest.fixture(autouse=True)
def mid_june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 12, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def world(db):
    u1 = factories.UnitFactory(name="甲单位", short_name="甲", order=1, uses_project_manager=True)
    u2 = factories.UnitFactory(name="乙单位", short_name="乙", order=2)
    u3 = factories.UnitFactory(name="丙单位", short_name="丙", order=3)
    p1 = factories.PlaceFactory(name="金川区", order=1)
    p2 = factories.PlaceFactory(name="永昌县", order=2)
    c1 = factories.ChainFactory(name="有色金属新材料", short_name="有色", order=1)
    c2 = factories.ChainFactory(name="新能源和新能源电池", short_name="新能源", order=2)
    leader = factories.LeaderFactory(username="leader_figures", full_name="示例领导")
    member = factories.OfficerFactory(username="member_figures", unit=u1)
    butler = factories.UserFactory(username="butler_figures")

    a = make_project(
        "A",
        total_investment=D(20000),
        contracted_investment=D(18000),
        signed_on=day("2024-03-01"),
        started_on=day("2024-06-01"),
        unit=u1,
        chain=c1,
        place=p1,
        leader=leader,
        manager=butler,
        staleness="yellow",
        team=[member],
        history=[
            ("2023-10-01", Stage.RED),
            ("2023-12-01", Stage.ORANGE),
            ("2024-03-01", Stage.BLUE),
            ("2024-06-01", Stage.GREEN),
        ],
        progress=[
            ("2024-05", 100, 200),
            ("2024-12", 300, 300),
            ("2025-01", 200, 250),
            ("2025-05", 150, 100),
            ("2025-06", 999, 999),
        ],
    )
    b = make_project(
        "B",
        total_investment=D(6000),
        unit=u2,
        chain=c2,
        place=p2,
        history=[
            ("2025-01-10", Stage.RED),
            ("2025-03-10", Stage.ORANGE),
            ("2025-05-20", Stage.RED, "企业投资意向减弱"),
        ],
    )
    c = make_project(
        "C",
        total_investment=D(10000),
        contracted_investment=D(10000),
        signed_on=day("2024-09-01"),
        unit=u2,
        chain=c1,
        place=p2,
        history=[
            ("2024-05-01", Stage.RED),
            ("2024-06-01", Stage.ORANGE),
            ("2024-09-01", Stage.BLUE),
            ("2025-04-10", Stage.DROPPED, "企业资金链断裂"),
        ],
        progress=[("2025-02", 50, 50)],
    )
    d = make_project(
        "D",
        total_investment=D(3000),
        signed_on=day("2025-02-01"),
        unit=u1,
        chain=c2,
        place=p1,
        history=[
            ("2025-01-05", Stage.RED),
            ("2025-01-20", Stage.ORANGE),
            ("2025-05-08", Stage.BLUE),
        ],
        progress=[("2025-03", 500, 400)],
    )
    e = make_project(
        "E",
        total_investment=D(4000),
        signed_on=day("2022-01-01"),
        started_on=day("2022-06-01"),
        operating_on=day("2023-12-01"),
        unit=u3,
        chain=c1,
        place=p1,
        history=[
            ("2022-01-01", Stage.BLUE),
            ("2022-06-01", Stage.GREEN),
            ("2023-12-01", Stage.OPERATING),
        ],
        progress=[("2024-01", 80, 80)],
    )
    f = make_project(
        "F",
        total_investment=D(9000),
        contracted_investment=D(8000),
        signed_on=day("2025-03-01"),
        started_on=day("2025-05-10"),
        unit=u1,
        chain=c1,
        place=p1,
        leader=leader,
        team=[member],
        history=[
            ("2025-01-15", Stage.ORANGE),
            ("2025-03-01", Stage.BLUE),
            ("2025-05-10", Stage.GREEN),
        ],
        progress=[("2025-05", 400, 500)],
    )
    g = make_project(
        "G",
        total_investment=D(500),
        unit=u3,
        chain=c2,
        place=p2,
        history=[("2025-05-12", Stage.RED)],
    )
    h = make_project(
        "H",
        total_investment=D(7000),
        contracted_investment=D(7000),
        signed_on=day("2025-04-01"),
        unit=u2,
        chain=c2,
        place=p1,
        history=[("2024-12-20", Stage.RED), ("2025-04-01", Stage.ORANGE)],
    )
    i = make_project(
        "I",
        total_investment=D(5000),
        contracted_investment=D(5000),
        signed_on=day("2024-02-01"),
        unit=u3,
        chain=c1,
        place=p2,
        history=[
            ("2024-01-10", Stage.RED),
            ("2024-02-01", Stage.ORANGE),
            ("2024-11-01", Stage.DROPPED, "项目不再推进"),
        ],
        progress=[("2024-03", 60, 60)],
    )
    j = make_project(
        "J",
        total_investment=D(4000),
        signed_on=day("2023-01-01"),
        started_on=day("2024-01-01"),
        operating_on=day("2025-05-25"),
        unit=u3,
        chain=c2,
        place=p1,
        history=[("2024-01-01", Stage.GREEN, "补录在建项目"), ("2025-05-25", Stage.OPERATING)],
        progress=[("2025-04", 1000, 900)],
    )
    for unit, funds, signings, starts in ((u1, 5000, 4, 2), (u2, 1000, 2, 1), (u3, 2000, 1, 1)):
        AnnualTarget.objects.create(
            year=2025, unit=unit, funds_in_place=D(funds), new_signings=signings, starts=starts
        )
    AnnualTarget.objects.create(year=2025, unit=None, funds_in_place=D(20000))
    for stage, weight in (("red", "0.1"), ("orange", "0.2"), ("blue", "0.5"), ("green", "0.3")):
        StageWeight.objects.update_or_create(stage=stage, defaults={"weight": D(weight)})
    factories.ProblemFactory(project=a, unit=u1, deadline=day("2025-06-01"))
    factories.ProblemFactory(project=b, unit=u2, deadline=day("2025-07-01"))
    factories.ProblemFactory(
        project=d, unit=u1, deadline=day("2025-05-01"), status=Problem.Status.RESOLVED
    )
    return SimpleNamespace(
        u1=u1, u2=u2, u3=u3, p1=p1, p2=p2, c1=c1, c2=c2, leader=leader,
        a=a, b=b, c=c, d=d, e=e, f=f, g=g, h=h, i=i, j=j,
    )  # fmt: skip


MAY_2025 = Scope(year=2025, month=5)


# --- scope -----------------------------------------------------------------------------------


def test_the_scope_runs_from_new_year_to_the_end_of_its_month():
    scope = Scope(year=2024, month=2)
    assert scope.period_start == datetime.date(2024, 1, 1)
    assert scope.period_end == datetime.date(2024, 2, 29)
    assert scope.previous_year() == Scope(year=2023, month=2)
    assert scope.time_progress == D("16.67")


def test_the_scope_refuses_a_month_outside_the_year():
    with pytest.raises(ValueError):
        Scope(year=2025, month=13)


def test_the_scope_writes_the_project_lists_querystring():
    scope = Scope(year=2025, month=5, chain_id=3, leader_id=7)
    assert scope.as_query() == "chain=3&leader=7"
    assert scope.as_query(stage=["blue", "green"], is_key=True, unit=None) == (
        "chain=3&leader=7&stage=blue&stage=green&is_key=true"
    )


# --- headline --------------------------------------------------------------------------------


def test_the_headline_matches_the_hand_count(world):
    assert figures.headline(MAY_2025) == {
        # A, C (dropped during the year), D, F, H, J (in operation during the year)
        "projects_in_progress": 6,
        # A 200+150, C 50, D 500, F 400, J 1000; A's June entry is after the period
        "funds_in_place_ytd": D("2300.00"),
        # A 2024-05 100, E 2024-01 80, I 2024-03 60; A's December entry is outside Jan..May
        "funds_in_place_prev_ytd": D("240.00"),
        "funds_increment": D("2060.00"),
        "funds_growth_rate": D("858.33"),
        # signed since 2024-01-01: A 18000, C 10000, D 3000 (total), F 8000, H 7000, I 5000
        "recent_contracted": D("51000.00"),
        # their funds to the end of May: A 750, C 50, D 500, F 400, I 60
        "recent_funds": D("1760.00"),
        "arrival_rate": D("3.45"),
        # key and under implementation: A, C, F, H; started: A (2024), F (May 2025)
        "key_projects_of_year": 4,
        "key_projects_started": 2,
        "start_rate": D("50.00"),
        "investment_completed_ytd": D("2200.00"),
        "investment_completed_prev_ytd": D("340.00"),
        # D, F, H: 3000 + 8000 + 7000
        "new_signings": 3,
        "new_signings_contracted": D("18000.00"),
    }


def test_funds_to_date_restart_in_january(world):
    january = figures.headline(Scope(year=2025, month=1))
    # January 2025 (A 200) against January 2024 (E 80): December 2024 counts in neither.
    assert january["funds_in_place_ytd"] == D("200.00")
    assert january["funds_in_place_prev_ytd"] == D("80.00")
    assert january["funds_growth_rate"] == D("150.00")

    december = figures.headline(Scope(year=2024, month=12))
    assert december["funds_in_place_ytd"] == D("540.00")  # 100 + 300 + 80 + 60
    # No entry at all in 2023: nothing to compare with, not zero.
    assert december["funds_in_place_prev_ytd"] is None
    assert december["funds_increment"] is None
    assert december["funds_growth_rate"] is None


def test_a_dropped_projects_past_funds_still_count(world):
    # C was dropped in April; its February money arrived and stays in the year's total.
    unit_b = figures.headline(Scope(year=2025, month=5, unit_id=world.u2.pk))
    assert unit_b["funds_in_place_ytd"] == D("50.00")
    # C was being implemented this year, so it is counted; B is not signed.
    assert unit_b["projects_in_progress"] == 2  # C and H


def test_a_project_dropped_or_finished_before_the_year_is_not_under_implementation(world):
    unit_c = figures.headline(Scope(year=2025, month=5, unit_id=world.u3.pk))
    # E went into operation in 2023 and I was dropped in 2024; J entered operation in May.
    assert unit_c["projects_in_progress"] == 1


def test_the_headline_follows_the_leaders_portfolio(world):
    mine = figures.headline(Scope(year=2025, month=5, leader_id=world.leader.pk))
    assert mine["projects_in_progress"] == 2  # A and F
    assert mine["funds_in_place_ytd"] == D("750.00")
    assert mine["start_rate"] == D("100.00")


def test_a_chain_without_last_years_funds_has_no_growth_rate(world):
    chain = figures.headline(Scope(year=2025, month=5, chain_id=world.c2.pk))
    assert chain["funds_in_place_ytd"] == D("1500.00")  # D 500, J 1000
    assert chain["funds_in_place_prev_ytd"] is None  # 无可比数据, not 0
    assert chain["funds_increment"] is None
    assert chain["funds_growth_rate"] is None


def test_an_empty_scope_gives_zeros_and_no_rates(db):
    headline = figures.headline(MAY_2025)
    assert headline["funds_in_place_ytd"] == D("0.00")
    assert headline["arrival_rate"] is None
    assert headline["start_rate"] is None


# --- breakdowns ------------------------------------------------------------------------------


def test_every_stage_is_counted_in_card_order(world):
    rows = figures.by_stage(MAY_2025)
    assert [(r["stage"], r["count"], r["investment"]) for r in rows] == [
        ("red", 2, D("6500.00")),
        ("orange", 1, D("7000.00")),
        ("blue", 1, D("3000.00")),
        ("green", 2, D("29000.00")),
        ("operating", 2, D("8000.00")),
        ("dropped", 2, D("15000.00")),
    ]
    assert rows[0]["color"] == "#d93025"
    assert rows[0]["label"] == "红色"
    assert rows[3]["query"] == "figure=stage&year=2025&month=5&at_stage=green"


def test_chains_count_live_projects_and_the_years_funds(world):
    rows = figures.by_chain(MAY_2025)
    assert [(r["name"], r["count"], r["investment"], r["funds_ytd"]) for r in rows] == [
        ("有色", 3, D("33000.00"), D("800.00")),  # A, E, F live; C's 50 counts in funds
        ("新能源", 5, D("20500.00"), D("1500.00")),
    ]
    assert rows[0]["stages"] == {
        "red": 0, "orange": 0, "blue": 0, "green": 2, "operating": 1, "dropped": 2,
    }  # fmt: skip
    assert rows[0]["query"] == f"figure=live&year=2025&month=5&chain={world.c1.pk}"


def test_places_and_units_are_broken_down_the_same_way(world):
    places = figures.by_place(MAY_2025)
    assert [(r["name"], r["count"], r["investment"], r["funds_ytd"]) for r in places] == [
        ("金川区", 6, D("47000.00"), D("2250.00")),
        ("永昌县", 2, D("6500.00"), D("50.00")),
    ]
    units = figures.by_unit(MAY_2025)
    assert [(r["name"], r["count"], r["investment"], r["funds_ytd"]) for r in units] == [
        ("甲", 3, D("32000.00"), D("1250.00")),
        ("乙", 2, D("13000.00"), D("50.00")),
        ("丙", 3, D("8500.00"), D("1000.00")),
    ]


def test_projects_without_a_leader_come_last_in_the_leaders_breakdown(world):
    rows = figures.by_leader(MAY_2025)
    assert [(r["id"], r["name"], r["count"], r["funds_ytd"]) for r in rows] == [
        (world.leader.pk, "示例领导", 2, D("750.00")),
        (None, "", 6, D("1550.00")),
    ]
    assert rows[0]["query"] == f"figure=live&year=2025&month=5&leader={world.leader.pk}"
    assert rows[1]["query"] is None  # the list cannot ask for "no leader"


def test_a_filter_narrows_the_breakdowns_and_their_links(world):
    rows = figures.by_place(Scope(year=2025, month=5, chain_id=world.c1.pk))
    assert [(r["name"], r["count"]) for r in rows] == [("金川区", 3), ("永昌县", 0)]
    assert rows[0]["query"] == (
        f"chain={world.c1.pk}&figure=live&year=2025&month=5&place={world.p1.pk}"
    )


# --- time series and history -----------------------------------------------------------------


def test_monthly_funds_compare_each_month_with_last_year(world):
    monthly = figures.monthly_funds(MAY_2025)
    assert monthly["months"] == list(range(1, 13))
    assert monthly["this_year"] == [
        D("200.00"), D("50.00"), D("500.00"), D("1000.00"), D("550.00"),
        None, None, None, None, None, None, None,
    ]  # fmt: skip
    # Months of 2024 with no entry at all have nothing to compare with.
    assert monthly["last_year"] == [
        D("80.00"), None, D("60.00"), None, D("100.00"), None,
        None, None, None, None, None, D("300.00"),
    ]  # fmt: skip
    assert monthly["this_year_cumulative"][4] == D("2300.00")
    assert monthly["last_year_cumulative"][11] == D("540.00")


def test_the_months_moves_count_a_downgrade_and_a_move_into_operation(world):
    movements = figures.stage_movements(MAY_2025)
    assert {k: v for k, v in movements.items() if k != "changes"} == {
        "new": 1,  # G
        "upgrades": 3,  # D to blue, F to green, J into operation
        "downgrades": 1,  # B orange -> red
        "drops": 0,
        "restores": 0,
        "to_operating": 1,
    }
    changes = movements["changes"]
    assert [(c["project_name"], c["from_stage"], c["to_stage"], c["kind"]) for c in changes] == [
        ("J", "green", "operating", "upgrade"),
        ("B", "orange", "red", "downgrade"),
        ("F", "blue", "green", "upgrade"),
        ("D", "orange", "blue", "upgrade"),
    ]
    assert changes[1]["reason"] == "企业投资意向减弱"
    assert changes[1]["changed_at"].startswith("2025-05-20T12:00:00+08:00")


def test_a_drop_is_counted_in_the_month_it_happened(world):
    april = figures.stage_movements(Scope(year=2025, month=4))
    assert april["drops"] == 1  # C
    assert april["upgrades"] == 1  # H red -> orange
    assert april["new"] == 0


def test_the_funnel_counts_the_highest_stage_each_project_reached(world):
    funnel = figures.stage_funnel(MAY_2025)
    # In play: A B C D F G H J (E finished in 2023, I dropped in 2024).
    # Reached: A green, B orange (downgraded since), C blue (dropped since), D blue,
    # F green, G red, H orange, J operating. Before the year: A green, C blue, H red, J green.
    assert [(r["stage"], r["count"], r["entered"]) for r in funnel] == [
        ("red", 8, 4),
        ("orange", 7, 4),
        ("blue", 5, 2),
        ("green", 3, 1),
    ]
    assert funnel[2]["query"] == "figure=reached&year=2025&month=5&at_stage=blue"


def test_the_funnel_of_last_year_ignores_later_history(world):
    funnel = figures.stage_funnel(Scope(year=2024, month=12))
    # In play in 2024: A, C, H, I (dropped in November), J; E was already operating and the
    # projects entered in 2025 did not exist. Reached by the end of 2024: A green, C blue,
    # H red, I orange, J green.
    assert [(r["stage"], r["count"]) for r in funnel] == [
        ("red", 5),
        ("orange", 4),
        ("blue", 3),
        ("green", 2),
    ]


# --- 三亮 and the forecast ---------------------------------------------------------------------


def test_units_are_marked_against_the_time_proportional_target(world):
    board = figures.unit_scoreboard(MAY_2025)
    assert [
        (r["name"], r["actual_funds"], r["completion"], r["behind_points"], r["mark"], r["rank"])
        for r in board
    ] == [
        ("丙", D("1000.00"), D("50.00"), D("-8.33"), "", 1),
        ("甲", D("1250.00"), D("25.00"), D("16.67"), "yellow", 2),  # 10-30 points behind
        ("乙", D("50.00"), D("5.00"), D("36.67"), "red", 3),  # more than 30 behind
    ]
    unit_a = board[1]
    assert unit_a["time_progress"] == D("41.67")
    assert (unit_a["target_signings"], unit_a["actual_signings"]) == (4, 2)  # D, F
    assert (unit_a["target_starts"], unit_a["actual_starts"]) == (2, 1)  # F
    assert unit_a["signings_completion"] == D("50.00")
    assert unit_a["signings_query"] == (f"unit={world.u1.pk}&figure=new_signings&year=2025&month=5")


def test_the_scoreboard_at_year_end_ranks_results_against_the_whole_target(world):
    board = figures.unit_scoreboard(Scope(year=2025, month=12))
    # Every 2025 entry now counts (A's June 999 too); the time progress is the whole year.
    assert [(r["name"], r["actual_funds"], r["mark"], r["rank"]) for r in board] == [
        ("丙", D("1000.00"), "red", 1),  # 50% of the target: 50 points behind
        ("甲", D("2249.00"), "red", 2),
        ("乙", D("50.00"), "red", 3),
    ]
    assert board[0]["time_progress"] == D("100.00")


@pytest.mark.parametrize(
    ("behind", "mark"),
    [("-5", ""), ("9.99", ""), ("10.00", "yellow"), ("30.00", "yellow"), ("30.01", "red")],
)
def test_the_mark_boundaries_are_ten_and_thirty_points(behind, mark):
    assert figures.mark_for(D(behind)) == mark


def test_equal_completion_shares_a_rank(world):
    AnnualTarget.objects.filter(unit=world.u1).update(funds_in_place=D(2500))  # 1250: 50%
    board = figures.unit_scoreboard(MAY_2025)
    assert [(r["name"], r["rank"]) for r in board] == [("甲", 1), ("丙", 1), ("乙", 3)]


def test_a_unit_filter_shows_only_that_units_score(world):
    board = figures.unit_scoreboard(Scope(year=2025, month=5, unit_id=world.u2.pk))
    assert [r["name"] for r in board] == ["乙"]


def test_the_forecast_weights_the_open_pipeline_by_stage(world):
    forecast = figures.forecast(MAY_2025)
    # Committed investment not yet in place: red B 6000 + G 500; orange H 7000;
    # blue D 3000 - 500; green A 18000 - 750 (to the end of May) + F 8000 - 400.
    assert [(s["stage"], s["pipeline"], s["weighted"]) for s in forecast["stages"]] == [
        ("red", D("6500.00"), D("650.00")),
        ("orange", D("7000.00"), D("1400.00")),
        ("blue", D("2500.00"), D("1250.00")),
        ("green", D("24850.00"), D("7455.00")),
    ]
    assert forecast["actual"] == D("2300.00")
    assert forecast["pipeline"] == D("40850.00")
    assert forecast["weighted_pipeline"] == D("10755.00")
    assert forecast["expected"] == D("13055.00")
    assert forecast["city_target"] == D("20000.00")
    assert forecast["expected_rate"] == D("65.28")


def test_a_changed_weight_changes_the_forecast(world):
    StageWeight.objects.filter(stage="green").update(weight=D("0"))
    assert figures.forecast(MAY_2025)["expected"] == D("5600.00")  # 2300 + 650 + 1400 + 1250


def test_without_a_city_target_there_is_no_rate(world):
    AnnualTarget.objects.filter(unit__isnull=True).delete()
    forecast = figures.forecast(MAY_2025)
    assert forecast["city_target"] is None
    assert forecast["expected_rate"] is None


# --- attention ---------------------------------------------------------------------------------


def test_attention_lists_what_needs_a_leader_today(world):
    lists = figures.attention(MAY_2025)
    assert [(p["project_name"], p["days_overdue"]) for p in lists["overdue_problems"]] == [
        ("A", 14)
    ]
    # A: stale (as stored: today's warnings are kept by dispatch) and an overdue problem;
    # F: no butler; H and B: no leader, no team.
    assert [p["project_name"] for p in lists["flagged_projects"]] == ["A", "F", "H", "B"]
    assert lists["flagged_projects"][0]["flags"] == ["两个月无进展", "问题逾期"]
    missing = {
        p["project_name"]: [m["code"] for m in p["missing"]] for p in lists["four_one_missing"]
    }
    assert missing == {"F": ["manager"], "H": ["leader", "team"], "B": ["leader", "team"]}
    assert [c["project_name"] for c in lists["changed_this_month"]] == ["J", "B", "F", "D"]
    assert lists["totals"] == {"overdue_problems": 1, "flagged_projects": 4, "four_one_missing": 3}
    assert lists["queries"]["four_one_missing"] == "figure=four_one_missing&year=2025&month=5"


def test_attention_lists_are_cut_to_the_limit_but_count_everything(world):
    lists = figures.attention(MAY_2025, limit=2)
    assert len(lists["flagged_projects"]) == 2
    assert len(lists["changed_this_month"]) == 2
    assert lists["totals"]["flagged_projects"] == 4


# --- everything at once ------------------------------------------------------------------------


def test_the_whole_dashboard_is_json_once_decimals_are_strings(world):
    data = figures.dashboard(MAY_2025)

    def decimal_only(value):
        if isinstance(value, Decimal):
            return str(value)
        raise TypeError(type(value))

    text = json.dumps(data, default=decimal_only)
    assert json.loads(text)["headline"]["funds_in_place_ytd"] == "2300.00"
    assert set(data) >= {
        "headline", "by_stage", "by_chain", "by_place", "by_unit", "by_leader",
        "monthly_funds", "stage_movements", "stage_funnel", "unit_scoreboard", "forecast",
        "attention",
    }  # fmt: skip


def build_portfolio(size: int, months: int = 24):
    """`size` projects in every stage with `months` of progress and a move each month."""
    units = [factories.UnitFactory(name=f"规模单位{n}") for n in range(3)]
    chains = [factories.ChainFactory(name=f"规模链{n}") for n in range(2)]
    places = [factories.PlaceFactory(name=f"规模园区{n}") for n in range(2)]
    leader = factories.LeaderFactory(username="leader_scale")
    stages = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING, Stage.DROPPED]
    first = datetime.date(2023, 6, 1)
    for unit in units:
        AnnualTarget.objects.create(year=2025, unit=unit, funds_in_place=D(1000))
    for n in range(size):
        project = factories.ProjectFactory(
            stage=stages[n % len(stages)],
            unit=units[n % 3],
            chain=chains[n % 2],
            place=places[n % 2],
            leader=leader if n % 2 else None,
            staleness="yellow" if n % 4 == 0 else "",
        )
        factories.ProblemFactory(project=project, unit=project.unit, deadline=day("2025-05-01"))
        rows, moves = [], []
        for m in range(months):
            month = datetime.date(first.year + (first.month - 1 + m) // 12,
                                  (first.month - 1 + m) % 12 + 1, 1)  # fmt: skip
            rows.append(
                factories.ProgressFactory.build(project=project, month=month, funds_in_place=D(10))
            )
            moves.append(
                StageChange(
                    project=project,
                    from_stage=Stage.RED,
                    to_stage=Stage.ORANGE,
                    changed_at=at(month.isoformat()),
                )
            )
        MonthlyProgress.objects.bulk_create(rows)
        month_totals.rebuild()  # entries written in bulk, as the loaders do
        StageChange.objects.bulk_create(moves)


@pytest.mark.parametrize("size", [5, 50])
def test_the_dashboard_takes_the_same_queries_at_any_size(db, size):
    build_portfolio(size)
    scope = Scope(year=2025, month=5)
    # The first read builds the closed months' MonthEnd rows (projects.month_ends).
    figures.dashboard(scope)
    with CaptureQueriesContext(connection) as queries:
        data = figures.dashboard(scope)
    assert data["headline"]["funds_in_place_ytd"] == D(10 * 5 * size)
    # The kept card counts 3 (their version, the month-end builds, that they are built),
    # headline 3 (month totals; recent signings' funds and the check of their rows),
    # breakdowns 5 (funds of every dimension at once, four dimensions' names), monthly 1,
    # movements 2, scoreboard 2 (targets, funds), forecast 5 (weights, rows' check, pipeline,
    # actual, the city's target), the kept attention lists 4 (their version, the month's cards'
    # version, builds and check).
    assert len(queries.captured_queries) == 25
    # Built again (a write changed what they read): the lists' own 6 queries on top (the
    # ranking pass, the rows shown, overdue problems and their count, the month's latest moves,
    # and the rows' check).
    watch.changed()
    with CaptureQueriesContext(connection) as queries:
        figures.dashboard(scope)
    assert len(queries.captured_queries) == 25 + 6


# --- the month's moves, counted by pair ------------------------------------------------------

STAGE_OR_NEW = st.sampled_from(["", *Stage.values])


def _counted_by_sql(scope):
    """The six filtered counts over SQL ranks that `stage_movements` counted with before it
    counted by pair: the definition, kept here as the oracle."""
    from django.db.models import Count, F, Q

    from dashboard.attention import month_changes
    from projects import month_ends

    rows = month_changes(scope).annotate(
        from_rank=month_ends.rank("from_stage"), to_rank=month_ends.rank("to_stage")
    )
    moved = ~Q(from_stage="") & ~Q(from_stage=Stage.DROPPED) & ~Q(to_stage=Stage.DROPPED)
    return rows.aggregate(
        new=Count("id", filter=Q(from_stage="")),
        upgrades=Count("id", filter=moved & Q(to_rank__gt=F("from_rank"))),
        downgrades=Count("id", filter=moved & Q(to_rank__lt=F("from_rank"))),
        drops=Count("id", filter=~Q(from_stage="") & Q(to_stage=Stage.DROPPED)),
        restores=Count("id", filter=Q(from_stage=Stage.DROPPED) & ~Q(to_stage=Stage.DROPPED)),
        to_operating=Count("id", filter=~Q(from_stage="") & Q(to_stage=Stage.OPERATING)),
    )


@db_examples(30)
@given(
    moves=st.lists(
        st.tuples(STAGE_OR_NEW, st.sampled_from(Stage.values), st.sampled_from([3, 15, 40])),
        max_size=12,
    )
)
def test_the_months_moves_counted_by_pair_equal_the_filtered_counts(db, moves):
    """Any moves, odd ones included (a stage to itself, dropped to dropped, one day before or
    after the month): the counts by pair equal the six filtered counts of the definition."""
    with rolled_back():
        project = factories.ProjectFactory()
        start = datetime.date(2025, 5, 1)
        for from_stage, to_stage, offset in moves:
            StageChange.objects.create(
                project=project,
                from_stage=from_stage,
                to_stage=to_stage,
                changed_at=at(str(start + datetime.timedelta(days=offset - 4))),
            )
        counts = figures.stage_movements(MAY_2025, moves=False)
        assert counts == _counted_by_sql(MAY_2025)
