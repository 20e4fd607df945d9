"""Problems (难点堵点): raising one, resolving it, when it is overdue, and the problem list."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects import selectors_work, services
from projects.models import Problem
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


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(unit=personas.unit_a, stage=Stage.BLUE)


def raise_problem(client, project, **overrides):
    data = {
        "category": "eia",
        "description": "环评批复待省厅审查",
        "unit": project.unit_id,
        "deadline": "2025-07-31",
    }
    data.update(overrides)
    return client.post(reverse("projects:problem_add", args=[project.pk]), data)


def form_errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_an_officer_raises_a_problem_on_their_units_project(personas, login, project):
    response = raise_problem(login(personas.officer_a), project, unit=personas.unit_b.pk)

    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    problem = Problem.objects.get(project=project)
    assert problem.get_category_display() == "环评"
    assert problem.unit == personas.unit_b
    assert problem.deadline == datetime.date(2025, 7, 31)
    assert problem.status == Problem.Status.OPEN
    assert problem.raised_by == personas.officer_a


def test_a_deadline_already_past_is_refused(personas, login, project):
    response = raise_problem(login(personas.officer_a), project, deadline="2025-06-14")

    assert form_errors(response, "deadline") == ["办结时限不能早于今天。"]
    assert not Problem.objects.exists()


def test_a_problem_without_a_description_is_refused(personas, project):
    with pytest.raises(ValidationError) as caught:
        services.problem_create(
            user=personas.officer_a,
            project_id=project.pk,
            category="land",
            description="   ",
            unit=personas.unit_a,
            deadline=datetime.date(2025, 7, 1),
        )

    assert caught.value.message_dict["description"] == ["请描述问题的具体情况。"]
    assert not Problem.objects.exists()


def test_an_unknown_category_is_refused(personas, project):
    with pytest.raises(ValidationError) as caught:
        services.problem_create(
            user=personas.officer_a,
            project_id=project.pk,
            category="weather",
            description="天气",
            unit=personas.unit_a.pk,
            deadline="2025-07-01",
        )

    assert list(caught.value.message_dict) == ["category"]
    assert not Problem.objects.exists()


# --- Resolving ---------------------------------------------------------------------------------


@pytest.fixture
def problem(project, personas):
    with at(2025, 6, 1):
        return factories.ProblemFactory(project=project, unit=personas.unit_a)


def resolve(client, problem, **overrides):
    data = {"resolution": "省厅已出具批复", "resolved_on": "2025-06-14"}
    data.update(overrides)
    return client.post(reverse("projects:problem_resolve", args=[problem.pk]), data)


def test_resolving_records_how_and_when_and_writes_history(personas, login, problem):
    response = resolve(login(personas.officer_a), problem)

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.RESOLVED
    assert problem.resolution == "省厅已出具批复"
    assert problem.resolved_on == datetime.date(2025, 6, 14)
    last = problem.history.first()
    assert (last.status, last.history_user) == (Problem.Status.RESOLVED, personas.officer_a)


def test_the_unit_the_problem_was_assigned_to_may_resolve_it(personas, login, project):
    with at(2025, 6, 1):
        assigned_to_b = factories.ProblemFactory(project=project, unit=personas.unit_b)

    response = resolve(login(personas.officer_b), assigned_to_b)

    assert response.status_code == 302
    assigned_to_b.refresh_from_db()
    assert assigned_to_b.status == Problem.Status.RESOLVED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"resolution": " "}, "resolution", "请填写解决情况。"),
        ({"resolved_on": "2025-06-16"}, "resolved_on", "解决日期不能晚于今天。"),
        (
            {"resolved_on": "2025-05-31"},
            "resolved_on",
            "解决日期不能早于问题提出日期（2025-06-01）。",
        ),
    ],
)
def test_a_resolution_must_say_how_and_a_possible_date(
    personas, login, problem, data, field, message
):
    response = resolve(login(personas.officer_a), problem, **data)

    assert response.status_code == 200
    assert form_errors(response, field) == [message]
    problem.refresh_from_db()
    assert (problem.status, problem.resolution, problem.resolved_on) == ("open", "", None)


def test_the_second_of_two_resolvers_is_refused_and_the_first_stands(personas, problem):
    services.problem_resolve(
        user=personas.officer_a,
        problem_id=problem.pk,
        resolution="第一位办结",
        resolved_on=datetime.date(2025, 6, 10),
    )

    with pytest.raises(ValidationError) as caught:
        services.problem_resolve(
            user=personas.admin,
            problem_id=problem.pk,
            resolution="第二位办结",
            resolved_on=datetime.date(2025, 6, 12),
        )

    assert caught.value.message_dict["resolution"] == ["该问题已经办结，无需重复办结。"]
    problem.refresh_from_db()
    assert (problem.resolution, problem.resolved_on) == ("第一位办结", datetime.date(2025, 6, 10))


def test_a_resolved_problems_page_shows_the_resolution_and_no_form(personas, login, problem):
    services.problem_resolve(
        user=personas.officer_a,
        problem_id=problem.pk,
        resolution="已解决",
        resolved_on="2025-06-10",
    )

    response = login(personas.officer_a).get(reverse("projects:problem_resolve", args=[problem.pk]))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert "该问题已经办结。" in response.content.decode()


# --- Correcting ---------------------------------------------------------------------------------


def correct(problem, user, **fields):
    return services.problem_update(user=user, problem_id=problem.pk, **fields)


def test_a_correction_saves_what_changed_with_a_history_row_naming_who_made_it(personas, problem):
    correct(
        problem,
        personas.officer_a,
        description="  环评批复待省厅重新审查 ",
        unit=personas.unit_b,
        deadline="2025-08-15",
    )

    problem.refresh_from_db()
    assert (problem.description, problem.unit, problem.deadline) == (
        "环评批复待省厅重新审查",
        personas.unit_b,
        datetime.date(2025, 8, 15),
    )
    assert problem.history.count() == 2
    last = problem.history.first()
    assert (last.history_type, last.history_user) == ("~", personas.officer_a)
    assert last.unit_id == personas.unit_b.pk


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("2025-05-31", "办结时限不能早于问题提出日期（2025-06-01）。"),
        (None, "请填写办结时限。"),
        ("六月底", "请填写日期（格式：年-月-日）。"),
    ],
)
def test_a_deadline_the_rules_of_raising_refuse_changes_nothing(
    personas, problem, deadline, message
):
    with pytest.raises(ValidationError) as caught:
        correct(problem, personas.officer_a, description="改过的描述", deadline=deadline)

    assert caught.value.message_dict == {"deadline": [message]}
    problem.refresh_from_db()
    assert (problem.description, problem.deadline) == ("用地指标待落实", datetime.date(2025, 7, 1))
    assert problem.history.count() == 1


def test_a_deadline_already_past_but_not_before_the_day_raised_is_a_fair_correction(
    personas, problem
):
    correct(problem, personas.officer_a, deadline=datetime.date(2025, 6, 10))

    problem.refresh_from_db()
    assert problem.deadline == datetime.date(2025, 6, 10)
    assert problem.is_overdue


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "  "}, {"description": ["请描述问题的具体情况。"]}),
        ({"category": ""}, {"category": ["请选择问题类别。"]}),
        ({"unit": None}, {"unit": ["请选择负责解决的责任单位。"]}),
        ({"status": "resolved"}, {"status": ["该字段不能直接修改。"]}),
        ({"resolution": "已解决"}, {"resolution": ["该字段不能直接修改。"]}),
    ],
)
def test_a_correction_may_not_empty_a_field_or_resolve_the_problem(
    personas, problem, fields, message
):
    with pytest.raises(ValidationError) as caught:
        correct(problem, personas.officer_a, **fields)

    assert caught.value.message_dict == message
    problem.refresh_from_db()
    assert (problem.status, problem.resolution) == (Problem.Status.OPEN, "")
    assert problem.history.count() == 1


def test_an_old_deadline_left_as_it_was_is_not_judged_again(personas, project):
    # A row kept from before the rule (its deadline precedes the day it was raised).
    with at(2025, 6, 10):
        old = factories.ProblemFactory(
            project=project, unit=personas.unit_a, deadline=datetime.date(2025, 6, 5)
        )

    correct(old, personas.officer_a, description="补充说明", deadline=old.deadline)

    old.refresh_from_db()
    assert old.description == "补充说明"


def test_a_correction_that_changes_nothing_writes_no_history(personas, problem):
    correct(problem, personas.officer_a, description=problem.description, deadline="2025-07-01")

    assert problem.history.count() == 1


def test_a_resolved_problem_may_still_be_corrected_and_its_resolution_stands(personas, problem):
    services.problem_resolve(
        user=personas.officer_a,
        problem_id=problem.pk,
        resolution="已协调解决",
        resolved_on="2025-06-10",
    )

    correct(problem, personas.officer_a, category="eia")

    problem.refresh_from_db()
    assert (problem.category, problem.status, problem.resolution) == (
        "eia",
        Problem.Status.RESOLVED,
        "已协调解决",
    )


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("officer_a", True),  # the project's unit
        ("officer_b", False),  # another unit
        ("leader", False),  # leaders instruct, they do not file
        ("admin", True),
        ("auditor", False),
    ],
)
def test_a_problem_is_corrected_by_the_projects_unit_or_an_admin(
    personas, problem, persona, allowed
):
    user = getattr(personas, persona)

    if allowed:
        correct(problem, user, description="改过的描述")
    else:
        with pytest.raises(PermissionDenied):
            correct(problem, user, description="改过的描述")

    problem.refresh_from_db()
    assert (problem.description == "改过的描述") is allowed


def test_the_unit_a_problem_is_assigned_to_resolves_it_but_does_not_move_its_deadline(
    personas, project
):
    with at(2025, 6, 1):
        assigned_to_b = factories.ProblemFactory(project=project, unit=personas.unit_b)

    with pytest.raises(PermissionDenied):
        correct(assigned_to_b, personas.officer_b, deadline="2025-12-31")

    assigned_to_b.refresh_from_db()
    assert assigned_to_b.deadline == datetime.date(2025, 7, 1)


def test_the_projects_task_force_from_another_unit_may_correct_its_problems(
    personas, project, problem
):
    project.team.add(personas.officer_b)

    correct(problem, personas.officer_b, description="专班补充的说明")

    problem.refresh_from_db()
    assert problem.description == "专班补充的说明"


# --- Overdue ------------------------------------------------------------------------------------


def test_a_problem_is_overdue_only_when_open_past_its_deadline(project, personas):
    due = factories.ProblemFactory(project=project, deadline=datetime.date(2025, 7, 1))
    done = factories.ProblemFactory(
        project=project,
        deadline=datetime.date(2025, 6, 20),
        status=Problem.Status.RESOLVED,
        resolution="已办",
        resolved_on=datetime.date(2025, 6, 15),
    )

    with at(2025, 7, 1, hour=23):
        assert not due.is_overdue
        assert not Problem.objects.overdue().exists()
        assert not selectors_work.problem_list().get(pk=due.pk).overdue
    with at(2025, 7, 2, hour=0):
        assert due.is_overdue
        assert not done.is_overdue
        assert list(Problem.objects.overdue()) == [due]
        overdue = {p.pk: p.overdue for p in selectors_work.problem_list()}
        assert overdue == {due.pk: True, done.pk: False}


# --- The list ----------------------------------------------------------------------------------


@pytest.fixture
def several(personas):
    chain = factories.ChainFactory(name="新能源和新能源电池")
    in_chain = factories.ProjectFactory(unit=personas.unit_a, chain=chain)
    other = factories.ProjectFactory(unit=personas.unit_b)
    with at(2025, 5, 1):
        late = factories.ProblemFactory(
            project=other, unit=personas.unit_b, deadline=datetime.date(2025, 6, 1)
        )
    soon = factories.ProblemFactory(
        project=in_chain,
        unit=personas.unit_a,
        category="energy",
        description="能耗指标待省里调剂",
        deadline=datetime.date(2025, 6, 20),
    )
    later = factories.ProblemFactory(
        project=in_chain, unit=personas.unit_a, deadline=datetime.date(2025, 8, 1)
    )
    done = factories.ProblemFactory(
        project=other,
        unit=personas.unit_b,
        deadline=datetime.date(2025, 5, 1),
        status=Problem.Status.RESOLVED,
        resolution="已办",
        resolved_on=datetime.date(2025, 5, 1),
    )
    return {"late": late, "soon": soon, "later": later, "done": done, "chain": chain}


def listed(client, query=""):
    response = client.get(reverse("projects:problem_list") + query)
    assert response.status_code == 200
    return response, [p.pk for p in response.context["page_obj"]]


def test_the_list_shows_overdue_first_then_open_by_deadline_then_resolved(personas, login, several):
    response, ids = listed(login(personas.leader))

    assert ids == [several[k].pk for k in ("late", "soon", "later", "done")]
    assert response.context["totals"] == {"total": 4, "open": 3, "overdue": 1, "resolved": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=open", ["late", "soon", "later"]),
        ("?status=resolved", ["done"]),
        ("?overdue=true", ["late"]),
        ("?overdue=false", ["soon", "later", "done"]),
        ("?category=energy", ["soon"]),
        ("?search=用地", ["late", "later", "done"]),
    ],
)
def test_the_list_filters_and_totals_follow_the_filter(personas, login, several, query, expected):
    response, ids = listed(login(personas.officer_b), query)

    assert ids == [several[k].pk for k in expected]
    assert response.context["totals"]["total"] == len(expected)


def test_the_list_filters_by_unit_and_chain(personas, login, several):
    client = login(personas.officer_b)

    _, by_unit = listed(client, f"?unit={personas.unit_b.pk}")
    _, by_chain = listed(client, f"?chain={several['chain'].pk}")

    assert by_unit == [several["late"].pk, several["done"].pk]
    assert by_chain == [several["soon"].pk, several["later"].pk]


def test_only_those_who_may_resolve_see_the_resolve_link_and_leaders_see_instruct(
    personas, login, several
):
    officer_html = listed(login(personas.officer_a))[0].content.decode()
    leader_html = listed(login(personas.leader))[0].content.decode()

    resolve_soon = reverse("projects:problem_resolve", args=[several["soon"].pk])
    resolve_late = reverse("projects:problem_resolve", args=[several["late"].pk])
    assert resolve_soon in officer_html
    assert resolve_late not in officer_html  # unit_b's project, assigned to unit_b
    assert resolve_soon not in leader_html
    assert f"?problem={several['soon'].pk}" in leader_html
    assert f"?problem={several['soon'].pk}" not in officer_html


def test_the_list_of_one_project_names_it_and_explains_an_absurd_id(personas, login, several):
    client = login(personas.officer_b)

    _, of_project = listed(client, f"?project={several['late'].project_id}")
    response, _ = listed(client, "?project=-5e111")

    assert of_project == [several["late"].pk, several["done"].pk]
    assert "不在可用的选项中" in response.content.decode()


def test_the_export_link_carries_the_filters(personas, login, several):
    response, _ = listed(login(personas.officer_a), "?status=open&category=land&page=1")

    assert 'href="/ledger/export/problems/?status=open&amp;category=land"' in (
        response.content.decode()
    )


def test_the_list_is_paginated_with_totals_over_all_pages(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)
    factories.ProblemFactory.create_batch(51, project=project, unit=personas.unit_a)

    first, ids = listed(login(personas.admin))
    _, second = listed(login(personas.admin), "?page=2")

    assert (len(ids), len(second)) == (50, 1)
    assert first.context["totals"]["total"] == 51


def make_problems(n, unit):
    for _ in range(n):
        project = factories.ProjectFactory(unit=unit, chain=factories.ChainFactory())
        factories.ProblemFactory(project=project, unit=factories.UnitFactory())


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_takes_the_same_number_of_queries_whatever_its_size(
    personas, login, django_assert_num_queries, size
):
    make_problems(size, personas.unit_a)
    client = login(personas.leader)

    # session, user, the user's roles; totals, page count, page rows; the unit and chain
    # choices of the filter form.
    with django_assert_num_queries(8):
        response = client.get(reverse("projects:problem_list"))
    assert response.context["totals"]["total"] == size
