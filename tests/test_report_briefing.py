"""The briefing of a month (dispatch.briefing): the named lists, leaders, problems, narratives
and the units' ranking, read as of the month's end on the hand-built data of dispatch_data."""

import datetime
import json

import pytest
import time_machine

from dashboard.models import AnnualTarget
from dispatch.briefing import briefing
from projects.models import Instruction, InstructionReply, MonthlyProgress, Problem, StageChange
from projects.stages import Stage
from tests import factories
from tests.dispatch_data import JANUARY, TODAY, at, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(personas):
    with time_machine.travel(TODAY, tick=False):
        data = build(personas)
    # Both problems were raised in January, before the month ended.
    Problem.objects.update(raised_at=at("2026-01-06"))
    MonthlyProgress.objects.filter(project=data.p1, month=JANUARY).update(
        narrative="主体厂房封顶", next_steps="二月完成设备安装"
    )
    return data


def names(rows):
    return [row["name"] for row in rows]


def test_it_names_the_months_moves(data):
    moves = briefing(JANUARY)["moves"]

    assert names(moves["new"]) == ["六号项目"]
    assert names(moves["signed"]) == ["四号项目"]
    assert moves["signed"][0]["day"] == "2026-01-05"
    assert names(moves["started"]) == ["四号项目"]
    assert names(moves["upgraded"]) == ["四号项目", "四号项目"]
    assert names(moves["downgraded"]) == ["三号项目"]
    assert moves["downgraded"][0]["from"] == "橙色"
    assert moves["dropped"] == []


def test_a_move_after_the_month_end_is_not_in_it(data):
    StageChange.objects.create(
        project=data.p6, from_stage=Stage.RED, to_stage=Stage.DROPPED, changed_at=at("2026-02-01")
    )

    moves = briefing(JANUARY)["moves"]

    assert moves["dropped"] == []
    assert names(moves["new"]) == ["六号项目"]


def test_it_lists_each_leaders_projects_with_their_card_at_the_month_end(data):
    # Moved to operating in February: January's report still shows it green.
    StageChange.objects.create(
        project=data.p1,
        from_stage=Stage.GREEN,
        to_stage=Stage.OPERATING,
        changed_at=at("2026-02-03"),
    )
    data.p4.leader = data.leader
    data.p4.save(update_fields=["leader"])

    leaders = briefing(JANUARY)["leaders"]

    assert [leader["name"] for leader in leaders] == ["王示例"]
    wang = leaders[0]
    assert (wang["count"], wang["moved"], wang["investment"]) == (2, 1, "26000.00")
    by_name = {p["name"]: p for p in wang["projects"]}
    assert by_name["一号项目"]["stage"] == "绿色"
    assert by_name["一号项目"]["narrative"] == "主体厂房封顶"
    assert by_name["四号项目"]["moves"] == "红色→蓝色（1月5日）；蓝色→绿色（1月20日）"


def test_problems_are_those_open_at_the_month_end_most_overdue_first(data):
    resolved_later = factories.ProblemFactory(
        project=data.p1,
        unit=data.p1.unit,
        deadline=datetime.date(2026, 1, 10),
        description="环评批复待办",
        raised_at=at("2026-01-02"),
        status=Problem.Status.RESOLVED,
        resolved_on=datetime.date(2026, 2, 5),
    )
    factories.ProblemFactory(
        project=data.p1, unit=data.p1.unit, description="二月才提出", raised_at=at("2026-02-02")
    )
    factories.ProblemFactory(
        project=data.p1,
        unit=data.p1.unit,
        description="一月已解决",
        raised_at=at("2026-01-02"),
        status=Problem.Status.RESOLVED,
        resolved_on=datetime.date(2026, 1, 30),
    )

    result = briefing(JANUARY)

    problems = result["problems"]
    assert [p["description"] for p in problems] == [
        resolved_later.description,
        "用地指标未落实",
        "电力接入待办",
    ]
    assert [p["days_overdue"] for p in problems] == [21, 11, 0]
    assert [p["description"] for p in result["decisions"]] == ["环评批复待办", "用地指标未落实"]


def test_it_carries_the_months_narratives_and_next_steps(data):
    narratives = briefing(JANUARY)["narratives"]

    assert narratives == [
        {
            "project": "一号项目",
            "unit": "甲单位",
            "narrative": "主体厂房封顶",
            "next_steps": "二月完成设备安装",
        }
    ]


def test_units_are_ranked_on_funds_signings_and_starts_with_marks(data, personas):
    AnnualTarget.objects.filter(unit=personas.unit_a).update(new_signings=4, starts=2)
    AnnualTarget.objects.filter(unit=personas.unit_b).update(new_signings=2, starts=1)

    ranking = {r["name"]: r for r in briefing(JANUARY)["ranking"]}

    b, a = ranking["乙单位"], ranking["甲单位"]
    assert (b["funds_rank"], a["funds_rank"]) == (1, 2)
    assert (b["signings_actual"], b["signings_completion"], b["signings_rank"]) == ("1", "50.00", 1)
    assert (a["signings_actual"], a["signings_completion"], a["signings_rank"]) == ("0", "0.00", 2)
    assert (b["starts_completion"], a["starts_completion"]) == ("100.00", "0.00")
    # 序时进度 8.33%: 0% is 8.33 points behind, not yet yellow (10 points).
    assert a["signings_mark"] == ""
    assert b["time_progress"] == "8.33"


def test_the_city_target_and_the_years_signings_and_starts(data):
    AnnualTarget.objects.create(year=2026, unit=None, funds_in_place=50000, new_signings=12)

    city = briefing(JANUARY)["city"]

    assert city == {
        "year": 2026,
        "time_progress": "8.33",
        "funds_target": "50000.00",
        "signings_target": 12,
        "starts_target": 0,
        "signings_ytd": 1,
        "starts_ytd": 1,
    }


def test_it_has_no_city_target_when_none_is_set(data):
    assert briefing(JANUARY)["city"]["funds_target"] is None


def more_data(personas, n):
    leader = factories.LeaderFactory()
    for i in range(n):
        p = factories.ProjectFactory(
            unit=personas.unit_a,
            leader=leader,
            stage=Stage.GREEN,
            signed_on=datetime.date(2026, 1, 2),
            started_on=datetime.date(2026, 1, 3),
            created_at=at("2026-01-02"),
        )
        StageChange.objects.create(
            project=p, from_stage=Stage.BLUE, to_stage=Stage.GREEN, changed_at=at("2026-01-03")
        )
        factories.ProgressFactory(project=p, month=JANUARY, next_steps=f"下步{i}")
        factories.ProblemFactory(project=p, unit=personas.unit_a, raised_at=at("2026-01-04"))


def test_its_query_count_does_not_grow_with_the_data(data, personas, django_assert_num_queries):
    more_data(personas, 2)
    # The scoreboard's as-of rows of a closed month are built once, on first use (the month-end
    # table of projects.month_ends); warm them so the count is the briefing's own.
    briefing(JANUARY)
    # Moves 2, problems 1, 批示 1, narratives 1, leaders 1, scoreboard 3, city target 1 +
    # counts 1, and each of the three as-of reads checks its month-end rows are built (1 each).
    with django_assert_num_queries(14):
        small = briefing(JANUARY)
    more_data(personas, 12)
    briefing(JANUARY)
    with django_assert_num_queries(14):
        large = briefing(JANUARY)
    assert len(large["narratives"]) == len(small["narratives"]) + 12
    assert len(large["moves"]["started"]) == len(small["moves"]["started"]) + 12


def test_it_is_plain_json_so_the_snapshot_can_freeze_it(data):
    result = briefing(JANUARY)

    assert json.loads(json.dumps(result)) == result
    assert result["month"] == "2026-01"


def test_it_lists_the_leaders_instructions_still_open_at_the_month_end(data, personas):
    def instruction(text, deadline, given, done_at=None):
        return Instruction.objects.create(
            project=data.p2,
            leader=personas.leader,
            unit=personas.unit_b,
            text=text,
            deadline=datetime.date.fromisoformat(deadline),
            given_at=at(given),
            done_at=done_at,
        )

    late = instruction("尽快协调用地指标", "2026-01-20", "2026-01-10")
    InstructionReply.objects.create(
        instruction=late, text="已对接自然资源局", replied_at=at("2026-01-25")
    )
    InstructionReply.objects.create(
        instruction=late, text="二月已解决", replied_at=at("2026-02-05")
    )
    instruction("月底前报送方案", "2026-02-15", "2026-01-12")
    instruction("已办结的批示", "2026-01-15", "2026-01-08", done_at=at("2026-01-14"))
    instruction("二月才给的批示", "2026-02-20", "2026-02-02")

    rows = briefing(JANUARY)["instructions"]

    # The one done in January and the one given in February are not there; the reply is the
    # last one written by 31 January.
    assert [(r["text"], r["reply"], r["days_overdue"]) for r in rows] == [
        ("尽快协调用地指标", "已对接自然资源局", 11),
        ("月底前报送方案", "", 0),
    ]
