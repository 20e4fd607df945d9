""" "My work" for an officer (what to do now) and an admin (the whole city), and "my projects"
for a leader."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from projects.models import Problem, Staleness
from projects.stages import Stage
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(year, month, day, hour=10):
    return time_machine.travel(
        datetime.datetime(year, month, day, hour, 0, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture(autouse=True)
def mid_june_2025():
    with at(2025, 6, 15):
        yield


def ids(objects):
    return [o.pk for o in objects]


def test_an_officer_sees_their_units_projects_missing_this_months_progress(personas, login):
    missing = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN, name="甲未报")
    filed = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)
    factories.ProgressFactory(project=filed, month=datetime.date(2025, 6, 1))
    only_last_month = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)
    factories.ProgressFactory(project=only_last_month, month=datetime.date(2025, 5, 1))
    factories.ProjectFactory(unit=personas.unit_a, stage=Stage.OPERATING)  # no longer reports
    factories.ProjectFactory(unit=personas.unit_a, stage=Stage.DROPPED)
    factories.ProjectFactory(unit=personas.unit_b, stage=Stage.GREEN)  # another unit's

    response = login(personas.officer_a).get(reverse("projects:my_work"))

    assert response.status_code == 200
    assert set(ids(response.context["missing"])) == {missing.pk, only_last_month.pk}
    html = response.content.decode()
    assert "2025年6月未填报进展（2个项目）" in html
    assert f'href="/projects/{missing.pk}/progress/add/"' in html


def test_a_new_month_makes_every_project_due_again(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)
    factories.ProgressFactory(project=project, month=datetime.date(2025, 6, 1))

    # Logged in at each moment: a session lasts two weeks.
    with at(2025, 6, 30, hour=23):
        response = login(personas.officer_a).get(reverse("projects:my_work"))
        assert response.context["missing"] == []
    with at(2025, 7, 1, hour=0):
        response = login(personas.officer_a).get(reverse("projects:my_work"))
        assert ids(response.context["missing"]) == [project.pk]


def test_an_officer_sees_open_problems_of_their_unit_overdue_first(personas, login):
    own = factories.ProjectFactory(unit=personas.unit_a)
    theirs = factories.ProjectFactory(unit=personas.unit_b)
    with at(2025, 5, 1):
        overdue = factories.ProblemFactory(
            project=own, unit=personas.unit_b, deadline=datetime.date(2025, 6, 1)
        )
    assigned_to_us = factories.ProblemFactory(
        project=theirs, unit=personas.unit_a, deadline=datetime.date(2025, 6, 20)
    )
    later = factories.ProblemFactory(
        project=own, unit=personas.unit_a, deadline=datetime.date(2025, 9, 1)
    )
    factories.ProblemFactory(project=theirs, unit=personas.unit_b)  # not ours at all
    factories.ProblemFactory(
        project=own,
        unit=personas.unit_a,
        status=Problem.Status.RESOLVED,
        resolution="已办",
        resolved_on=datetime.date(2025, 6, 1),
    )

    response = login(personas.officer_a).get(reverse("projects:my_work"))

    assert ids(response.context["problems"]) == [overdue.pk, assigned_to_us.pk, later.pk]
    assert [p.overdue for p in response.context["problems"]] == [True, False, False]
    assert "已逾期" in response.content.decode()


def test_an_officer_sees_their_flagged_projects(personas, login):
    stale = factories.ProjectFactory(unit=personas.unit_a, staleness=Staleness.RED)
    no_leader = factories.ProjectFactory(unit=personas.unit_a, leader=None)
    factories.ProjectFactory(unit=personas.unit_b, staleness=Staleness.RED)
    small = factories.ProjectFactory(unit=personas.unit_a, total_investment=3000)

    response = login(personas.officer_a).get(reverse("projects:my_work"))

    flagged = ids(response.context["flagged"])
    assert set(flagged) == {stale.pk, no_leader.pk}
    assert small.pk not in flagged
    assert "三个月无进展" in response.content.decode()


def test_an_officer_without_a_unit_is_told_so(login):
    loner = factories.OfficerFactory(unit=None)

    response = login(loner).get(reverse("projects:my_work"))

    assert response.status_code == 200
    assert "您的账号尚未关联责任单位" in response.content.decode()


def test_an_admin_sees_the_whole_citys_missing_progress_and_overdue_problems(personas, login):
    a = factories.ProjectFactory(unit=personas.unit_a)
    b = factories.ProjectFactory(unit=personas.unit_b)
    with at(2025, 5, 1):
        late = factories.ProblemFactory(
            project=b, unit=personas.unit_b, deadline=datetime.date(2025, 6, 1)
        )
    factories.ProblemFactory(project=a, unit=personas.unit_a, deadline=datetime.date(2025, 7, 1))

    response = login(personas.admin).get(reverse("projects:my_work"))

    assert set(ids(response.context["missing"])) == {a.pk, b.pk}
    assert ids(response.context["problems"]) == [late.pk]
    assert "全市待办" in response.content.decode()


def test_a_leader_is_taken_to_their_projects(personas, login):
    response = login(personas.leader).get(reverse("projects:my_work"))

    assert response.status_code == 302
    assert response.url == reverse("projects:my_projects")


def test_a_leaders_projects_show_stage_last_progress_open_problems_and_instructions(
    personas, login
):
    mine = factories.ProjectFactory(leader=personas.leader, stage=Stage.GREEN, name="包抓项目")
    factories.ProgressFactory(project=mine, month=datetime.date(2025, 4, 1), narrative="四月")
    factories.ProgressFactory(project=mine, month=datetime.date(2025, 5, 1), narrative="五月进展")
    factories.ProblemFactory(project=mine)
    factories.ProblemFactory(project=mine)
    factories.ProblemFactory(
        project=mine,
        status=Problem.Status.RESOLVED,
        resolution="已办",
        resolved_on=datetime.date(2025, 6, 1),
    )
    other_leader = factories.LeaderFactory()
    factories.ProjectFactory(leader=other_leader)

    response = login(personas.leader).get(reverse("projects:my_projects"))

    assert response.status_code == 200
    [row] = response.context["projects"]
    assert row.pk == mine.pk
    assert row.last_progress_month == datetime.date(2025, 5, 1)
    assert row.last_progress_narrative == "五月进展"
    assert (row.open_problem_count, row.instruction_count) == (2, 0)
    totals = response.context["totals"]
    assert (totals["count"], totals["total_investment"]) == (1, 8000)
    assert totals["ytd_funds"] == 200
    html = response.content.decode()
    assert "我包抓的项目" in html
    assert 'class="badge stage-green"' in html


def test_a_team_member_finds_the_projects_they_serve_on(personas, login):
    served = factories.ProjectFactory(unit=personas.unit_a)
    served.team.add(personas.officer_a)
    managed = factories.ProjectFactory(unit=personas.unit_a, manager=personas.officer_a)
    factories.ProjectFactory(unit=personas.unit_a)

    response = login(personas.officer_a).get(reverse("projects:my_projects"))

    assert set(ids(response.context["projects"])) == {served.pk, managed.pk}
    assert "我参与的项目" in response.content.decode()


def grow(personas, n):
    for _ in range(n):
        project = factories.ProjectFactory(
            unit=personas.unit_a, leader=personas.leader, chain=factories.ChainFactory()
        )
        factories.ProblemFactory(project=project, unit=personas.unit_a)
        factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1))


@pytest.mark.parametrize("size", [2, 10])
def test_my_work_takes_the_same_number_of_queries_whatever_the_size(
    personas, login, django_assert_num_queries, size
):
    grow(personas, size)
    client = login(personas.officer_a)

    # session, user, the user's roles, the user's unit; 批示 to answer, missing progress, open
    # problems, flagged projects, projects with facts to fill in (需补录).
    with django_assert_num_queries(9):
        response = client.get(reverse("projects:my_work"))
    assert len(response.context["missing"]) == size


@pytest.mark.parametrize("size", [2, 10])
def test_my_projects_takes_the_same_number_of_queries_whatever_the_size(
    personas, login, django_assert_num_queries, size
):
    grow(personas, size)
    client = login(personas.leader)

    # The first read builds the closed months' MonthEnd rows (projects.month_ends).
    client.get(reverse("projects:my_projects"))
    # session, user, the user's roles; the projects, whether the year's starting month-end
    # rows are built, their totals, this year's sums, the instructions given, how they stand
    # (open, answered, overdue, done).
    with django_assert_num_queries(9):
        response = client.get(reverse("projects:my_projects"))
    assert len(response.context["projects"]) == size
