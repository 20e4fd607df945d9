"""The daily work over the API: monthly progress, blockers (难点堵点) and leaders'
instructions (批示), for every persona."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from projects.models import Instruction, MonthlyProgress, Problem
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mid_july():
    # Mid-month, so that "this month", "last month" and "overdue" are unambiguous.
    with time_machine.travel(datetime.datetime(2025, 7, 15, 10, 0), tick=False):
        yield


PROGRESS = "/api/v1/progress/"
PROBLEMS = "/api/v1/problems/"
INSTRUCTIONS = "/api/v1/instructions/"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)


def progress_body(project, **overrides):
    body = {
        "project": project.pk,
        "month": "2025-06",
        "investment_completed": "1200.50",
        "funds_in_place": "800",
        "narrative": "主体厂房封顶",
        "next_steps": "设备安装",
    }
    body.update(overrides)
    return body


# --- Monthly progress ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "admin"])
def test_the_unit_and_admins_file_progress(personas, login, project, who):
    response = post(login(getattr(personas, who)), PROGRESS, progress_body(project))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["month"] == "2025-06"
    assert body["investment_completed"] == "1200.50"
    assert body["funds_in_place"] == "800.00"
    assert body["filed_by"] == getattr(personas, who).pk
    entry = MonthlyProgress.objects.get(project=project)
    assert entry.month == datetime.date(2025, 6, 1)
    assert entry.funds_in_place == Decimal("800")


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_others_may_not_file_progress(personas, login, project, who):
    response = post(login(getattr(personas, who)), PROGRESS, progress_body(project))

    assert response.status_code == 403
    assert not MonthlyProgress.objects.exists()


def test_a_second_entry_for_the_same_month_gets_400(personas, login, project):
    client = login(personas.officer_a)
    assert post(client, PROGRESS, progress_body(project)).status_code == 201

    response = post(client, PROGRESS, progress_body(project, narrative="重复"))

    assert response.status_code == 400
    assert "已经填报过" in response.json()["month"][0]
    assert MonthlyProgress.objects.count() == 1


@pytest.mark.parametrize(
    "month", ["2025-6", "2025-13", "0000-01", "1999-12", "June", "2025-06-01", 202506]
)
def test_a_month_not_in_yyyy_mm_gets_400(personas, login, project, month):
    response = post(login(personas.officer_a), PROGRESS, progress_body(project, month=month))

    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["month"][0]


def test_missing_amounts_get_400_naming_them(personas, login, project):
    body = progress_body(project)
    del body["investment_completed"], body["funds_in_place"]

    response = post(login(personas.officer_a), PROGRESS, body)

    assert response.status_code == 400
    assert {"investment_completed", "funds_in_place"} <= set(response.json())


def test_a_future_month_gets_400(personas, login, project):
    response = post(login(personas.officer_a), PROGRESS, progress_body(project, month="2025-08"))

    assert response.status_code == 400
    assert "未来" in response.json()["month"][0]


def test_more_than_the_project_is_worth_gets_400(personas, login, project):
    response = post(
        login(personas.officer_a), PROGRESS, progress_body(project, funds_in_place="9000")
    )

    assert response.status_code == 400
    assert "funds_in_place" in response.json()


def test_a_negative_amount_gets_400(personas, login, project):
    response = post(
        login(personas.officer_a), PROGRESS, progress_body(project, investment_completed="-1")
    )

    assert response.status_code == 400
    assert "investment_completed" in response.json()


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_reads_progress(personas, login, project, who):
    factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1))
    factories.ProgressFactory(month=datetime.date(2025, 6, 1))

    response = login(getattr(personas, who)).get(PROGRESS + f"?project={project.pk}")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["project"], r["month"]) for r in rows] == [(project.pk, "2025-05")]


def test_progress_filters_by_month(personas, login, project):
    factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1))
    june = factories.ProgressFactory(project=project, month=datetime.date(2025, 6, 1))
    client = login(personas.leader)

    rows = client.get(PROGRESS + "?month=2025-06").json()["results"]

    assert [r["id"] for r in rows] == [june.pk]
    assert client.get(PROGRESS + "?month=2025-6").status_code == 400


@pytest.mark.parametrize("year", ["0", "10000", "2025.5"])
def test_an_impossible_year_gets_400(personas, login, year):
    client = login(personas.leader)

    for path in (PROGRESS, "/api/v1/events/", "/api/v1/annual-targets/"):
        response = client.get(f"{path}?year={year}")

        assert response.status_code == 400, path
        assert "year" in response.json(), path


def test_the_unit_corrects_an_entry(personas, login, project):
    entry = factories.ProgressFactory(project=project, month=datetime.date(2025, 6, 1))

    response = patch(login(personas.officer_a), f"{PROGRESS}{entry.pk}/", {"funds_in_place": "5"})

    assert response.status_code == 200, response.content
    assert response.json()["funds_in_place"] == "5.00"
    entry.refresh_from_db()
    assert entry.funds_in_place == Decimal("5")


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_others_may_not_correct_an_entry(personas, login, project, who):
    entry = factories.ProgressFactory(project=project, funds_in_place=Decimal("100"))

    response = patch(
        login(getattr(personas, who)), f"{PROGRESS}{entry.pk}/", {"funds_in_place": "5"}
    )

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.funds_in_place == Decimal("100")


def test_an_entry_cannot_move_to_another_project(personas, login, project):
    entry = factories.ProgressFactory(project=project)
    other = factories.ProjectFactory(unit=personas.unit_a)

    response = patch(login(personas.officer_a), f"{PROGRESS}{entry.pk}/", {"project": other.pk})

    # `project` is read-only on an update: ignored, the entry stays where it was.
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.project == project


# --- Problems -----------------------------------------------------------------------------


def problem_body(project, personas, **overrides):
    body = {
        "project": project.pk,
        "category": "land",
        "description": "用地指标待落实",
        "unit": personas.unit_b.pk,
        "deadline": "2025-08-31",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize("who", ["officer_a", "admin"])
def test_the_unit_and_admins_raise_a_problem(personas, login, project, who):
    response = post(login(getattr(personas, who)), PROBLEMS, problem_body(project, personas))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["unit"] == personas.unit_b.pk
    assert body["is_overdue"] is False
    assert Problem.objects.get().raised_by == getattr(personas, who)


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_others_may_not_raise_a_problem_on_the_project(personas, login, project, who):
    response = post(login(getattr(personas, who)), PROBLEMS, problem_body(project, personas))

    assert response.status_code == 403
    assert not Problem.objects.exists()


def test_a_past_deadline_gets_400(personas, login, project):
    body = problem_body(project, personas, deadline="2025-07-01", category="nonsense")

    response = post(login(personas.officer_a), PROBLEMS, body)

    assert response.status_code == 400
    assert "category" in response.json()


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_reads_problems(personas, login, project, who):
    overdue = factories.ProblemFactory(project=project, deadline=datetime.date(2025, 7, 1))
    factories.ProblemFactory(project=project, deadline=datetime.date(2025, 9, 1))

    response = login(getattr(personas, who)).get(PROBLEMS + "?overdue=true")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [overdue.pk]
    assert rows[0]["is_overdue"] is True


def test_problems_take_the_problem_lists_filters(personas, login, project):
    chain = factories.ChainFactory(name="新能源和新能源电池")
    on_chain = factories.ProjectFactory(unit=personas.unit_b, chain=chain)
    energy = factories.ProblemFactory(project=on_chain, description="能耗指标待省里调剂")
    factories.ProblemFactory(project=on_chain, description="用地报批")
    factories.ProblemFactory(project=project, description="能耗指标另一项")
    client = login(personas.leader)

    response = client.get(f"{PROBLEMS}?chain={chain.pk}&search=能耗")

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [energy.pk]
    assert client.get(f"{PROBLEMS}?project=-5e111").status_code == 400


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "admin"])
def test_the_project_unit_the_assigned_unit_and_admins_resolve(personas, login, project, who):
    problem = factories.ProblemFactory(project=project, unit=personas.unit_b)

    response = post(
        login(getattr(personas, who)),
        f"{PROBLEMS}{problem.pk}/resolve/",
        {"resolution": "已协调解决用地指标", "resolved_on": "2025-07-15"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "resolved"
    problem.refresh_from_db()
    assert problem.resolved_on == datetime.date(2025, 7, 15)


def test_a_leader_may_not_resolve(personas, login, project):
    problem = factories.ProblemFactory(project=project, unit=personas.unit_b)

    response = post(
        login(personas.leader),
        f"{PROBLEMS}{problem.pk}/resolve/",
        {"resolution": "x", "resolved_on": "2025-07-15"},
    )

    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.status == Problem.Status.OPEN


def test_another_unit_may_not_resolve(personas, login, project):
    other_unit = factories.UnitFactory(name="丙单位")
    problem = factories.ProblemFactory(project=project, unit=other_unit)

    response = post(
        login(personas.officer_b),
        f"{PROBLEMS}{problem.pk}/resolve/",
        {"resolution": "x", "resolved_on": "2025-07-15"},
    )

    assert response.status_code == 403


def test_resolving_twice_gets_400(personas, login, project):
    problem = factories.ProblemFactory(project=project)
    client = login(personas.officer_a)
    body = {"resolution": "已解决", "resolved_on": "2025-07-15"}
    assert post(client, f"{PROBLEMS}{problem.pk}/resolve/", body).status_code == 200

    response = post(client, f"{PROBLEMS}{problem.pk}/resolve/", body)

    assert response.status_code == 400
    assert "resolution" in response.json()


def test_a_resolution_in_the_future_gets_400(personas, login, project):
    problem = factories.ProblemFactory(project=project)

    response = post(
        login(personas.officer_a),
        f"{PROBLEMS}{problem.pk}/resolve/",
        {"resolution": "已解决", "resolved_on": "2025-12-01"},
    )

    assert response.status_code == 400
    assert "resolved_on" in response.json()


# --- Instructions -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_leaders_and_admins_instruct(personas, login, project, who):
    problem = factories.ProblemFactory(project=project)

    response = post(
        login(getattr(personas, who)),
        INSTRUCTIONS,
        {
            "project": project.pk,
            "problem": problem.pk,
            "text": "请国土部门本周内协调",
            "deadline": "2025-07-31",
        },
    )

    assert response.status_code == 201, response.content
    assert response.json()["leader"] == getattr(personas, who).pk
    assert Instruction.objects.get().problem == problem


@pytest.mark.parametrize("who", ["officer_a", "officer_b"])
def test_officers_may_not_instruct(personas, login, project, who):
    response = post(
        login(getattr(personas, who)), INSTRUCTIONS, {"project": project.pk, "text": "x"}
    )

    assert response.status_code == 403
    assert not Instruction.objects.exists()


def test_an_instruction_on_another_projects_problem_gets_400(personas, login, project):
    foreign = factories.ProblemFactory()

    response = post(
        login(personas.leader),
        INSTRUCTIONS,
        {"project": project.pk, "problem": foreign.pk, "text": "请协调", "deadline": "2025-07-31"},
    )

    assert response.status_code == 400
    assert "problem" in response.json()


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_reads_instructions(personas, login, project, who):
    Instruction.objects.create(project=project, leader=personas.leader, text="加快推进")

    response = login(getattr(personas, who)).get(INSTRUCTIONS + f"?project={project.pk}")

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["加快推进"]
