"""Query budgets of the project pages: the same number of SQL queries at 3 and at 30 projects."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import Instruction
from projects.stages import Stage
from tests import factories

STAGES = list(Stage)


@pytest.fixture(autouse=True)
def frozen_today():
    moment = datetime.datetime(2025, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def make_projects(n, personas):
    """`n` projects in every stage, each with everything a row or a card shows."""
    projects = []
    for i in range(n):
        link = factories.ChainLinkFactory()
        project = factories.ProjectFactory(
            stage=STAGES[i % len(STAGES)],
            total_investment=Decimal(6000 + i * 1000),  # all key projects
            chain=link.chain,
            chain_link=link,
            unit=personas.unit_a if i % 2 else personas.unit_b,
            leader=personas.leader,
            manager=personas.officer_a,
            event=factories.EventFactory(),
            staleness="yellow" if i % 3 else "",
        )
        project.team.add(personas.officer_a)
        factories.ProblemFactory(project=project, deadline=datetime.date(2025, 7, 1))
        factories.ProgressFactory(project=project, month=datetime.date(2025, 6, 1))
        projects.append(project)
    return projects


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_costs_the_same_queries_at_any_size(
    client, personas, django_assert_num_queries, n
):
    make_projects(n, personas)
    client.force_login(personas.officer_a)
    url = reverse("projects:list")

    # 1 the session, 2 user, 3 the user's groups (roles, cached for the request), 4 the totals
    # aggregate, 5 the page's ids (ranked), 6 its rows (with flags as subqueries), 7 the user's
    # unit (page header), 8-12 the filter selects: chains, links, places, units, leaders.
    with django_assert_num_queries(12):
        response = client.get(url, {"is_key": "true", "stage": STAGES[:5], "flagged": "true"})

    assert response.context["totals"]["count"] > 0
    assert len(response.context["page"].object_list) == response.context["totals"]["count"]


def test_filtering_by_stage_asks_for_no_distinct_rows(client, personas):
    # A stage filter joins nothing; DISTINCT would sort every column of every filtered row.
    make_projects(6, personas)
    client.force_login(personas.officer_a)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("projects:list"), {"stage": ["red", "green"]})

    assert response.context["totals"]["count"] == 2
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"].upper()]


@pytest.mark.parametrize("n", [3, 30])
def test_the_board_costs_the_same_queries_at_any_size(
    client, personas, django_assert_num_queries, n
):
    make_projects(n, personas)
    client.force_login(personas.officer_a)

    # 1 session, 2 user, 3 groups, 4 every column's count and sum in one aggregate,
    # 5-8 each column's largest ids (through the stage index), 9 those cards with their flags,
    # 10 the user's unit (header), 11-14 the filter selects: chains, places, units, leaders.
    with django_assert_num_queries(14):
        response = client.get(reverse("projects:board"))

    in_columns = sum(1 for i in range(n) if i % len(STAGES) < 4)  # red, orange, blue, green
    assert sum(len(c["cards"]) for c in response.context["columns"]) == in_columns


@pytest.mark.parametrize("n", [3, 30])
def test_the_project_page_costs_the_same_queries_however_long_its_history(
    client, personas, django_assert_num_queries, n
):
    project = factories.ProjectFactory(stage=Stage.RED, unit=personas.unit_a)
    project.team.add(personas.officer_a)
    for i in range(n):
        factories.ProgressFactory(
            project=project, month=datetime.date(2020 + i // 12, i % 12 + 1, 1)
        )
        problem = factories.ProblemFactory(project=project)
        Instruction.objects.create(
            project=project, problem=problem, leader=personas.leader, text="抓紧"
        )
        project = services.project_update(
            project_id=project.pk,
            version=project.version,
            user=personas.officer_a,
            total_investment=Decimal(9000 + i),
        )
    client.force_login(personas.officer_a)

    # 1 session, 2 user, 3 groups, 4 the project with its flags, 5 its team, 6 its
    # co-investors, 7 the user's unit (header), 8 the stage timeline, 9 monthly progress with
    # its sums, 10 problems, 11 instructions, 12 their replies, 13 the history.
    with django_assert_num_queries(13):
        response = client.get(reverse("projects:detail", args=[project.pk]))

    assert len(response.context["history"]) == min(n + 1, 30)
