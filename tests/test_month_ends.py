"""The month-end rows equal the history they are built from, and a change to the past is
never served from old rows."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.db.models import Value
from django.db.models.functions import Coalesce
from hypothesis import given
from hypothesis import strategies as st

from dashboard import figures
from projects import month_ends, services
from projects.models import MonthEnd, MonthEndBuild, Project, StageChange
from projects.periods import Scope, as_of, stage_at, total_investment_at
from projects.stages import Stage
from tests import factories
from tests.properties import db_examples, rolled_back

TZ = ZoneInfo("Asia/Shanghai")
DAYS = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2025, 10, 28))
STAGES = [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN, Stage.OPERATING, Stage.DROPPED]


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=TZ)


@db_examples(30)
@given(
    histories=st.lists(
        st.lists(st.tuples(DAYS, st.sampled_from(STAGES)), min_size=1, max_size=5),
        min_size=1,
        max_size=6,
    ),
    month=st.integers(1, 10),
)
def test_a_closed_months_rows_equal_the_history_read_directly(db, histories, month):
    with time_machine.travel(at(datetime.date(2025, 11, 20)), tick=False), rolled_back():
        for history in histories:
            project = factories.ProjectFactory(stage=sorted(history)[-1][1], operating_on=None)
            StageChange.objects.filter(project=project).delete()
            for day, stage in sorted(history):
                StageChange.objects.create(project=project, to_stage=stage, changed_at=at(day))
        scope = Scope(year=2025, month=month)
        from_rows = as_of(Project.objects.all(), scope).values_list(
            "pk", "stage_then", "total_then", "reached_then"
        )
        direct = Project.objects.annotate(
            stage_then=stage_at(scope.end_at),
            total_then=total_investment_at(scope.end_at),
            reached_then=Coalesce(month_ends.reached_rank_at(scope.end_at), Value(-1)),
        ).values_list("pk", "stage_then", "total_then", "reached_then")
        # A project not yet on the card has no row: None for all three.
        expected = {
            pk: (stage, total, top) if stage is not None else (None, None, None)
            for pk, stage, total, top in direct
        }
        assert {pk: rest for pk, *rest in from_rows} == {
            pk: list(value) for pk, value in expected.items()
        }


def test_a_move_written_into_the_past_is_counted_in_the_months_since(db, personas):
    with time_machine.travel(at(datetime.date(2025, 11, 20)), tick=False):
        project = factories.ProjectFactory(stage=Stage.RED, unit=personas.officer_a.unit)
        entered = at(datetime.date(2025, 1, 5))
        StageChange.objects.filter(project=project).update(changed_at=entered)
        june = Scope(year=2025, month=6)
        assert [r["count"] for r in figures.by_stage(june)][:2] == [1, 0]
        assert MonthEndBuild.objects.filter(month=datetime.date(2025, 6, 1)).exists()

        services.project_transition(
            project_id=project.pk,
            to=Stage.ORANGE,
            user=personas.admin,
            intent_note="意向较强",
            at=at(datetime.date(2025, 3, 2)),
        )

        assert [r["count"] for r in figures.by_stage(june)][:2] == [0, 1]
        assert MonthEnd.objects.get(project=project, month=datetime.date(2025, 6, 1)).stage == (
            Stage.ORANGE
        )


def test_rebuild_builds_every_closed_month_from_the_first_move(db):
    with time_machine.travel(at(datetime.date(2025, 3, 20)), tick=False):
        project = factories.ProjectFactory(total_investment=Decimal(6000))
        first_move = at(datetime.date(2024, 11, 5))
        StageChange.objects.filter(project=project).update(changed_at=first_move)
        assert month_ends.rebuild(now=True) == 4  # 2024-11 to 2025-02
        assert MonthEnd.objects.filter(project=project).count() == 4
