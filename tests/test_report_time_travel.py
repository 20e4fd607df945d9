"""A past month's report equals the state at that month's end, rebuilt from the history.

The data is built month by month with the clock frozen in each month: new projects, card
moves, a total that crosses the key-project line, progress, problems raised and resolved.
Each month's report is built on the 1st of the next month. Months later, after much more
data, every old month is built again: its figures and lists are unchanged.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from dispatch import snapshot
from projects.models import MonthlyProgress, Problem, Project, StageChange
from projects.stages import Stage
from tests import factories

TZ = ZoneInfo("Asia/Shanghai")
MONTHS = [datetime.date(2025, m, 1) for m in range(1, 7)]
# Reading the clock: what a report says about when it was made, not about the month.
VOLATILE = {"generated_at", "as_of"}


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def move(project: Project, stage: str) -> None:
    StageChange.objects.create(project=project, from_stage=project.stage, to_stage=stage)
    project.stage = stage
    project.stage_changed_at = timezone.now()
    project.save()


def work_in(month: datetime.date, world: dict) -> None:
    """A month of an office's work, all of it dated inside `month`."""
    index = month.month
    unit = world["units"][index % 2]
    fresh = factories.ProjectFactory(
        unit=unit,
        total_investment=Decimal(4000 + 1000 * index),
        created_at=timezone.now(),
        signed_on=None,
        started_on=None,
    )
    world["projects"].append(fresh)
    for number, project in enumerate(world["projects"]):
        if (number + index) % 3 == 0 and project.stage == Stage.RED:
            project.intent_note = "意向较强"
            move(project, Stage.ORANGE)
        elif (number + index) % 4 == 0 and project.stage == Stage.ORANGE:
            project.signed_on = timezone.localdate()
            move(project, Stage.BLUE)
        elif (number + index) % 5 == 0 and project.stage == Stage.BLUE:
            project.started_on = timezone.localdate()
            move(project, Stage.GREEN)
        if (number + index) % 2 == 0:
            factories.filed(
                MonthlyProgress.objects.create(
                    project=project,
                    month=month,
                    funds_in_place=Decimal(100 * (number + 1)),
                    investment_completed=Decimal(50 * index),
                )
            )

    if index == 3:
        # Crosses the key-project line in March: key from then on, not before.
        first = world["projects"][0]
        first.total_investment = Decimal(9000)
        first.save()
    if index in (2, 4):
        move(world["projects"][1], Stage.DROPPED)
        move(world["projects"][1], Stage.RED)
    problem = factories.ProblemFactory(
        project=world["projects"][-1],
        unit=unit,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
        raised_at=timezone.now(),
    )
    world["problems"].append(problem)
    if index >= 3:
        old = world["problems"][index - 3]
        old.status = Problem.Status.RESOLVED
        old.resolved_on = timezone.localdate()
        old.save()


def frozen(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in VOLATILE}


def test_an_old_months_report_is_rebuilt_unchanged_after_months_of_new_data(db):
    world = {
        "units": [factories.UnitFactory(), factories.UnitFactory()],
        "projects": [],
        "problems": [],
    }
    first_build = {}
    for month in MONTHS:
        with time_machine.travel(moment(month.replace(day=12)), tick=False):
            work_in(month, world)
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        with time_machine.travel(moment(next_month, 9), tick=False):
            first_build[month] = snapshot.build(month)

    # Later: July and August work, then every old month again.
    for later in (datetime.date(2025, 7, 1), datetime.date(2025, 8, 1)):
        with time_machine.travel(moment(later.replace(day=12)), tick=False):
            work_in(later, world)
    with time_machine.travel(moment(datetime.date(2025, 9, 20)), tick=False):
        for month in MONTHS:
            again = snapshot.build(month)
            assert frozen(again) == frozen(first_build[month]), month

    # The test data did move: the months differ from each other and from today.
    heads = [first_build[m]["headline"]["funds_in_place_ytd"] for m in MONTHS]
    assert len(set(heads)) == len(MONTHS)
    tables = first_build[MONTHS[0]]["tables"]
    assert tables["by_stage"]["rows"] != first_build[MONTHS[-1]]["tables"]["by_stage"]["rows"]
    assert tables["open_problems"]["rows"]
