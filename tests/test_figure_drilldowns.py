"""A figure equals the list its drill-down opens, over random projects and histories.

For random portfolios (cards moved at random dates, progress in random months, random signing
and start dates), every counted figure of the dashboard at several scopes (a past month, a
year's end, a unit, a chain, a leader) is followed to the project list through its own
querystring: the list holds exactly as many projects as the figure counts, and the period's
funds in place and investment completed summed over the list equal the figure's.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import Sum
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from dashboard import figures
from dashboard.figures import Scope
from projects import month_totals
from projects.filters import ProjectFilter
from projects.models import MonthlyProgress, StageChange
from projects.selectors import project_list
from projects.stages import Stage
from tests import factories
from tests.properties import db_examples, rolled_back

TZ = ZoneInfo("Asia/Shanghai")
MOVES = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING, Stage.DROPPED]
DAYS = st.dates(min_value=datetime.date(2023, 6, 1), max_value=datetime.date(2025, 11, 20))

project_strategy = st.fixed_dictionaries(
    {
        "total": st.sampled_from([Decimal(3000), Decimal(5000), Decimal(6000), Decimal(25000)]),
        "contracted": st.one_of(st.none(), st.sampled_from([Decimal(0), Decimal(4000)])),
        "unit": st.integers(0, 1),
        "chain": st.integers(0, 1),
        "led": st.booleans(),
        "signed": st.one_of(st.none(), DAYS),
        "start_after": st.one_of(st.none(), st.integers(0, 300)),
        "moves": st.lists(st.tuples(DAYS, st.sampled_from(MOVES)), min_size=1, max_size=4),
        "progress": st.lists(st.tuples(DAYS, st.integers(0, 900), st.integers(0, 900)), max_size=5),
    }
)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=TZ)


def build(world, specs) -> None:
    for spec in specs:
        moves = sorted(spec["moves"])
        started = None
        if spec["signed"] and spec["start_after"] is not None:
            started = spec["signed"] + datetime.timedelta(days=spec["start_after"])
        project = factories.ProjectFactory(
            total_investment=spec["total"],
            contracted_investment=spec["contracted"],
            unit=world["units"][spec["unit"]],
            chain=world["chains"][spec["chain"]],
            leader=world["leader"] if spec["led"] else None,
            signed_on=spec["signed"],
            started_on=started,
            operating_on=None,
            stage=moves[-1][1],
            created_at=at(moves[0][0]),
        )
        StageChange.objects.filter(project=project).delete()
        previous = ""
        for day, stage in moves:
            StageChange.objects.create(
                project=project, from_stage=previous, to_stage=stage, changed_at=at(day)
            )
            previous = stage
        months = {}
        for day, funds, done in spec["progress"]:
            months[day.replace(day=1)] = (funds, done)
        MonthlyProgress.objects.bulk_create(
            MonthlyProgress(
                project=project,
                month=month,
                funds_in_place=Decimal(funds),
                investment_completed=Decimal(done),
            )
            for month, (funds, done) in months.items()
        )
    month_totals.rebuild()  # entries written in bulk, as the loaders do


def listed(query: str):
    """The project list's rows for a drill-down querystring (the page's own FilterSet)."""
    filterset = ProjectFilter(QueryDict(query), queryset=project_list())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def list_sum(qs, field: str) -> Decimal:
    return (qs.aggregate(total=Sum(field))["total"] or Decimal(0)).quantize(Decimal("0.01"))


@pytest.fixture
def world(db):
    with time_machine.travel(datetime.datetime(2025, 12, 10, 12, tzinfo=TZ), tick=False):
        yield {
            "units": [factories.UnitFactory(), factories.UnitFactory()],
            "chains": [factories.ChainFactory(), factories.ChainFactory()],
            "leader": factories.LeaderFactory(),
        }


def scopes(world) -> list[Scope]:
    return [
        Scope(year=2025, month=5),
        Scope(year=2024, month=12),
        Scope(year=2025, month=11, unit_id=world["units"][0].pk),
        Scope(year=2025, month=8, chain_id=world["chains"][1].pk),
        Scope(year=2025, month=11, leader_id=world["leader"].pk),
    ]


@db_examples(25)
@given(specs=st.lists(project_strategy, min_size=1, max_size=8))
def test_every_figure_equals_the_list_it_opens(world, specs):
    # Each example in its own savepoint, rolled back: the next starts from no project.
    # The kept counts outlive a rolled-back example, as any cache would: start without them.
    cache.clear()
    with rolled_back():
        build(world, specs)
        check_every_figure(world)


def check_every_figure(world):
    for scope in scopes(world):
        head = figures.headline(scope)
        links = figures.headline_queries(scope)
        for figure, link in [
            ("projects_in_progress", "projects_in_progress"),
            ("key_projects_of_year", "key_projects_of_year"),
            ("key_projects_started", "key_projects_started"),
            ("new_signings", "new_signings"),
        ]:
            assert listed(links[link]).count() == head[figure], (scope, figure)
        funds = listed(links["funds_in_place"])
        assert list_sum(funds, "funds_period") == head["funds_in_place_ytd"], scope
        completed = listed(links["investment_completed"])
        assert list_sum(completed, "completed_period") == head["investment_completed_ytd"]

        for row in figures.by_stage(scope):
            rows = listed(row["query"])
            assert rows.count() == row["count"], (scope, row["stage"])
            assert list_sum(rows, "total_then") == row["investment"], (scope, row["stage"])
        for breakdown in (figures.by_unit, figures.by_chain, figures.by_leader):
            for row in breakdown(scope):
                if row["query"] is None:
                    continue
                rows = listed(row["query"])
                assert rows.count() == row["count"], (scope, breakdown.__name__, row["name"])
                assert list_sum(rows, "total_then") == row["investment"]
                # The row's funds also count its dropped projects' money.
                assert list_sum(rows, "funds_period") <= row["funds_ytd"]
        for row in figures.stage_funnel(scope):
            assert listed(row["query"]).count() == row["count"], (scope, row["stage"])


def test_the_list_sorts_by_funds_in_place_without_a_period_too(world):
    # This year so far when no period is asked for (a sort link or an API client).
    project = factories.ProjectFactory(unit=world["units"][0])
    MonthlyProgress.objects.create(
        project=project, month=datetime.date(2025, 12, 1), funds_in_place=Decimal(70)
    )
    factories.ProjectFactory(unit=world["units"][0])

    rows = listed("ordering=-funds_period")

    assert [(p.pk, p.funds_period) for p in rows][0] == (project.pk, Decimal("70.00"))
