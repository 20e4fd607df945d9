"""The staleness rule: how long a tracked project has gone without a progress entry.

"Months without progress" counts the whole calendar months that have ended since the last
month with an entry (or since the month the project was recorded, for a project with none).
On 1 June a project last reported in March has gone April and May without progress: 2 months.
The current month is not counted before it ends, since its entry is due during it.

The rule is written once, for any day and any stage column: `dispatch.staleness` applies it
today to keep `Project.staleness` current (lists filter and sort on it); the figures and the
monthly report apply it at a past month's end to the card as it stood then.
"""

import datetime

from django.apps import apps
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from projects import watch
from projects.models import MonthlyProgress, Project, Staleness
from projects.periods import aware
from projects.stages import ACTIVE, Stage

# Worse comes later.
SEVERITY = [Staleness.FRESH, Staleness.YELLOW, Staleness.RED, Staleness.PROPOSE_DROP]


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def no_progress_for(months: int, day: datetime.date, stage_field: str = "stage") -> Q:
    """Tracked projects with no entry in the last `months` whole months before `day` (and
    recorded before that window began).

    An entry for `day`'s own month counts (it shows progress); entries for later months do
    not, so a past day's warnings stay what they were when it came.
    """
    cutoff = add_months(day.replace(day=1), -months)
    recent = MonthlyProgress.objects.filter(
        project_id=OuterRef("pk"), month__gte=cutoff, month__lte=day.replace(day=1)
    )
    return (
        Q(**{f"{stage_field}__in": ACTIVE}) & Q(created_at__lt=aware(cutoff)) & ~Q(Exists(recent))
    )


def level_conditions(day: datetime.date, thresholds, stage_field: str = "stage") -> dict:
    """The condition of each staleness value on `day`; exactly one holds for every project.

    `thresholds` has yellow_months < red_months < drop_months (dispatch.DispatchSettings).
    """
    yellow = no_progress_for(thresholds.yellow_months, day, stage_field)
    red = no_progress_for(thresholds.red_months, day, stage_field)
    drop = no_progress_for(thresholds.drop_months, day, stage_field) & Q(**{stage_field: Stage.RED})
    return {
        Staleness.PROPOSE_DROP: drop,
        Staleness.RED: red & ~drop,
        Staleness.YELLOW: yellow & ~red,
        Staleness.FRESH: ~yellow,
    }


def staleness_at(day: datetime.date, thresholds, stage_field: str = "stage") -> Case:
    """The staleness value on `day`, as an annotation."""
    conditions = level_conditions(day, thresholds, stage_field)
    return Case(
        *[
            When(conditions[value], then=Value(str(value)))
            for value in (Staleness.PROPOSE_DROP, Staleness.RED, Staleness.YELLOW)
        ],
        default=Value(""),
        output_field=CharField(),
    )


def thresholds():
    """The staleness thresholds the admin set (dispatch.DispatchSettings, one query).

    Looked up by name: the thresholds are edited with the other dispatch settings, while the
    rule they parametrise lives here, below dispatch.
    """
    return apps.get_model("dispatch", "DispatchSettings").load()


@transaction.atomic
def refresh_staleness(
    *, today: datetime.date | None = None, project_ids=None
) -> tuple[dict[str, int], list[tuple]]:
    """Set Project.staleness to what the rule gives today, for every project (or
    `project_ids`); return the number changed to each value, and the rows whose warning got
    worse, as (row, new value).

    Four UPDATEs whatever the number of projects, each touching only rows whose value changes
    (so the history of an unchanged project is not disturbed). Every writer that can change
    the answer calls it: progress filing, card moves, the seeds, the scale data, the import,
    and dispatch's daily run (for the passing of time).
    """
    today = today or timezone.localdate()
    projects = Project.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    changes: dict[str, int] = {}
    worse: list[tuple] = []
    for value, condition in level_conditions(today, thresholds()).items():
        changing = projects.filter(condition).exclude(staleness=value)
        if value != Staleness.FRESH:
            worse += [
                (row, value)
                for row in changing.values("pk", "code", "name", "unit_id", "staleness")
                if SEVERITY.index(value) > SEVERITY.index(row["staleness"])
            ]
        changes[str(value)] = changing.update(staleness=value)
    if any(changes.values()):
        watch.changed()
    return changes, worse
