"""Daily warnings: staleness computed with time frozen at month boundaries, the thresholds from
the admin, and notices only to the units whose projects got worse."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dispatch import staleness, tasks
from dispatch.models import DispatchSettings, Notice
from projects.models import Project, Staleness
from projects.stages import Stage
from tests import factories
from tests.dispatch_data import TZ

pytestmark = pytest.mark.django_db
RECORDED = datetime.datetime(2025, 1, 15, 10, 0, tzinfo=TZ)


def moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def compute_at(when: str, **kwargs):
    with time_machine.travel(moment(when), tick=False):
        return staleness.staleness_compute(**kwargs)


def stale(project) -> str:
    project.refresh_from_db()
    return project.staleness


def tracked(unit=None, stage=Stage.GREEN, last_progress="2025-03", **fields):
    """A project recorded in January 2025 whose last progress entry is `last_progress`."""
    fields.setdefault("created_at", RECORDED)
    project = factories.ProjectFactory(stage=stage, unit=unit or factories.UnitFactory(), **fields)
    if last_progress:
        month = datetime.date.fromisoformat(last_progress + "-01")
        factories.ProgressFactory(project=project, month=month)
    return project


def test_a_project_turns_yellow_when_the_second_whole_month_without_progress_ends(db):
    project = tracked()

    compute_at("2025-05-31T23:59")
    assert stale(project) == Staleness.FRESH  # only April has ended without an entry
    compute_at("2025-06-01T00:01")
    assert stale(project) == Staleness.YELLOW  # April and May


def test_a_project_turns_red_after_three_whole_months(db):
    project = tracked()

    compute_at("2025-06-30T23:59")
    assert stale(project) == Staleness.YELLOW
    compute_at("2025-07-01T00:01")
    assert stale(project) == Staleness.RED


def test_only_a_red_card_project_is_proposed_for_dropping_after_six_months(db):
    red_card = tracked(stage=Stage.RED)
    green_card = tracked(stage=Stage.GREEN)

    compute_at("2025-09-30T23:59")
    assert (stale(red_card), stale(green_card)) == (Staleness.RED, Staleness.RED)
    compute_at("2025-10-01T00:01")
    assert (stale(red_card), stale(green_card)) == (Staleness.PROPOSE_DROP, Staleness.RED)


def test_a_project_with_no_entry_counts_from_the_month_it_was_recorded(db):
    march = tracked(last_progress=None, created_at=moment("2025-03-15T10:00"))
    april = tracked(last_progress=None, created_at=moment("2025-04-02T10:00"))

    compute_at("2025-06-01T08:00")

    assert (stale(march), stale(april)) == (Staleness.YELLOW, Staleness.FRESH)


def test_a_new_entry_clears_the_warning_at_the_next_computation(db):
    project = tracked()
    compute_at("2025-07-02T08:00")
    assert stale(project) == Staleness.RED

    factories.ProgressFactory(project=project, month=datetime.date(2025, 6, 1))
    compute_at("2025-07-03T08:00")

    assert stale(project) == Staleness.FRESH


def test_projects_no_longer_tracked_carry_no_warning(db):
    operating = tracked(stage=Stage.OPERATING)
    dropped = tracked(stage=Stage.DROPPED)
    Project.objects.filter(pk__in=[operating.pk, dropped.pk]).update(staleness=Staleness.RED)

    compute_at("2025-12-01T08:00")

    assert (stale(operating), stale(dropped)) == (Staleness.FRESH, Staleness.FRESH)


def test_the_thresholds_come_from_the_admin_settings(db):
    DispatchSettings.objects.create(yellow_months=1, red_months=2, drop_months=3)
    project = tracked(stage=Stage.RED)

    compute_at("2025-05-01T08:00")
    assert stale(project) == Staleness.YELLOW
    compute_at("2025-06-01T08:00")
    assert stale(project) == Staleness.RED
    compute_at("2025-07-01T08:00")
    assert stale(project) == Staleness.PROPOSE_DROP


def test_the_computation_runs_the_same_queries_at_two_data_sizes(db):
    unit = factories.UnitFactory()
    counts = []
    for n in (2, 8):
        for _ in range(n):
            tracked(unit=unit)
        Project.objects.update(staleness=Staleness.FRESH)
        with CaptureQueriesContext(connection) as queries:
            compute_at("2025-07-02T08:00")
        counts.append(len(queries.captured_queries))

    assert counts[0] == counts[1]


def test_the_flag_shows_on_the_project_list(personas, login):
    tracked(unit=personas.unit_a, name="久未更新的项目")
    compute_at("2025-06-02T08:00")

    with time_machine.travel(moment("2025-06-02T09:00"), tick=False):
        html = login(personas.leader).get(reverse("projects:list")).content.decode()

    assert "久未更新的项目" in html
    assert "两个月无进展" in html


@pytest.fixture
def two_units(personas):
    personas.officer_a.email = "a@example.test"
    personas.officer_a.save()
    personas.officer_b.email = "b@example.test"
    personas.officer_b.save()
    personas.unit_a.robot_kind = "wecom"
    personas.unit_a.robot_webhook = "http://127.0.0.1:9/robot"
    personas.unit_a.save()
    personas.unit_b.robot_kind = "dingtalk"
    personas.unit_b.robot_webhook = "http://127.0.0.1:9/robot-b"
    personas.unit_b.save()
    return personas


def test_only_the_units_whose_projects_got_worse_are_told(two_units):
    p = two_units
    worse = tracked(unit=p.unit_a, code="JC-STALE")
    tracked(unit=p.unit_b, last_progress="2025-06")

    compute_at("2025-07-01T01:30")

    notices = Notice.objects.filter(kind=Notice.Kind.WARNING)
    assert {(n.recipient_user_id, n.recipient_unit_id) for n in notices} == {
        (p.officer_a.pk, None),
        (None, p.unit_a.pk),
    }
    assert all("JC-STALE" in n.body for n in notices)
    assert stale(worse) == Staleness.RED


def test_the_warnings_task_run_twice_the_same_day_writes_nothing_new(two_units):
    tracked(unit=two_units.unit_a)

    with time_machine.travel(moment("2025-07-01T01:30"), tick=False):
        first = tasks.compute_warnings.apply().get()
        second = tasks.compute_warnings.apply().get()

    assert first[Staleness.RED] == 1
    assert second == dict.fromkeys(first, 0)
    assert Notice.objects.filter(kind=Notice.Kind.WARNING).count() == 2


def test_a_problem_past_its_deadline_is_told_to_the_unit_it_was_assigned_to(two_units):
    p = two_units
    project = tracked(unit=p.unit_a, last_progress="2025-06")
    factories.ProblemFactory(
        project=project,
        unit=p.unit_b,
        deadline=datetime.date(2025, 6, 30),
        description="环评批复待办",
    )

    compute_at("2025-07-01T01:30")

    notices = Notice.objects.filter(kind=Notice.Kind.WARNING)
    assert {(n.recipient_user_id, n.recipient_unit_id) for n in notices} == {
        (p.officer_b.pk, None),
        (None, p.unit_b.pk),
    }
    assert all("环评批复待办" in n.body for n in notices)
