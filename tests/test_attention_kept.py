"""The dashboard's attention lists, kept in the shared cache under the version of what they
read (projects.watch), equal the lists built from the data after any write; the writes of a
working day that change nothing of them leave the version alone, so the lists serve through it.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from dashboard import attention as lists
from projects import month_ends, month_totals, services, warnings, watch
from projects.models import Problem, Project, Version
from projects.periods import Scope
from projects.stages import Stage
from projects.warnings import refresh_staleness
from tests import factories
from tests.concurrency import run_together
from tests.properties import db_examples, rolled_back

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 11, 20)
# The default period (the last complete month), a closed past month, the current month.
SCOPES = [Scope(year=2025, month=10), Scope(year=2025, month=7), Scope(year=2025, month=11)]

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("raise"), st.integers(0, 4), st.booleans()),
        st.tuples(st.just("resolve"), st.integers(0, 9)),
        st.tuples(st.just("deadline"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("leader"), st.integers(0, 4), st.booleans()),
        st.tuples(st.just("manager"), st.integers(0, 4), st.booleans()),
        st.tuples(st.just("team"), st.integers(0, 4), st.booleans()),
        st.tuples(st.just("rename"), st.integers(0, 4)),
        st.tuples(st.just("total"), st.integers(0, 4), st.sampled_from([3000, 8000, 20000])),
        st.tuples(st.just("unit"), st.integers(0, 4)),
        st.tuples(st.just("same"), st.integers(0, 4)),
        st.tuples(st.just("move"), st.integers(0, 4)),
        st.tuples(st.just("file"), st.integers(0, 4)),
        st.tuples(st.just("uses_manager"), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


def _fresh(scope: Scope) -> dict:
    today = timezone.localdate()
    day = scope.attention_day(today)
    limits = warnings.thresholds() if day != today else None
    return lists._attention(scope, 10, today, day, limits)


def _apply(op, admin_user, leader, people, units, projects):
    kind, i = op[0], op[1] if len(op) > 1 else 0
    if kind == "uses_manager":
        units[0].uses_project_manager = op[1]
        units[0].save()
        return
    problems = list(Problem.objects.order_by("pk"))
    if kind == "raise":
        # A new problem is not overdue yet; the ones loaded in the past are.
        deadline = datetime.date(2025, 11, 21) if op[2] else datetime.date(2026, 3, 31)
        services.problem_create(
            user=admin_user,
            project_id=projects[i].pk,
            category="land",
            description="用地指标待落实",
            unit=units[1],
            deadline=deadline,
        )
        return
    if kind in ("resolve", "deadline"):
        open_ = [p for p in problems if p.status == Problem.Status.OPEN]
        if not open_:
            return
        problem = open_[i % len(open_)]
        if kind == "resolve":
            services.problem_resolve(
                user=admin_user, problem_id=problem.pk, resolution="已协调", resolved_on=TODAY
            )
        else:
            deadline = datetime.date(2025, 11, 30) if op[2] else datetime.date(2026, 1, 31)
            services.problem_update(user=admin_user, problem_id=problem.pk, deadline=deadline)
        return
    project = Project.objects.get(pk=projects[i].pk)
    if kind == "move":
        if project.stage == Stage.RED:
            services.project_transition(
                project_id=project.pk, to=Stage.ORANGE, user=admin_user, intent_note="有意向"
            )
        return
    if kind == "file":
        month = datetime.date(2025, 11, 1)
        if not project.progress.filter(month=month).exists():
            services.progress_create(
                user=admin_user,
                project_id=project.pk,
                month=month,
                funds_in_place=Decimal("10"),
                investment_completed=Decimal("10"),
            )
        return
    fields, team = {}, None
    if kind == "leader":
        fields["leader"] = leader if op[2] else None
    elif kind == "manager":
        fields["manager"] = people[0] if op[2] else None
    elif kind == "team":
        team = people[:2] if op[2] else []
    elif kind == "rename":
        fields["name"] = project.name + "（二期）"
    elif kind == "total":
        fields["total_investment"] = Decimal(op[2])
    elif kind == "unit":
        fields["unit"] = units[1] if project.unit_id == units[0].pk else units[0]
    elif kind == "same":
        fields["name"] = project.name
        team = list(project.team.all())
    services.project_update(
        project_id=project.pk, version=project.version, user=admin_user, team=team, **fields
    )


NOW = datetime.datetime(2025, 11, 20, 10, tzinfo=TZ)


@db_examples(25)
@given(operations=OPERATIONS)
def test_the_kept_lists_equal_the_lists_built_from_the_data_after_any_write(db, operations):
    with (
        rolled_back(),
        time_machine.travel(datetime.datetime(2025, 11, 20, 10, tzinfo=TZ), tick=False),
    ):
        _check(operations)


def _check(operations):
    admin_user = factories.AdminFactory()
    leader = factories.LeaderFactory()
    people = [factories.OfficerFactory(), factories.OfficerFactory()]
    units = [factories.UnitFactory(), factories.UnitFactory()]
    created = timezone.make_aware(datetime.datetime(2025, 3, 1))
    projects = []
    for n in range(5):
        project = factories.ProjectFactory(
            unit=units[n % 2], stage=Stage.RED, total_investment=Decimal(8000 + n)
        )
        Project.objects.filter(pk=project.pk).update(created_at=created)
        project.stage_changes.update(changed_at=created)
        projects.append(project)
    for project in projects[:3]:
        # Raised before the month closed and overdue since.
        problem = factories.ProblemFactory(project=project, deadline=datetime.date(2025, 9, 30))
        Problem.objects.filter(pk=problem.pk).update(raised_at=created)
    month_ends.invalidate()
    # No progress since March: the warnings the rule gives (a filing takes one away).
    refresh_staleness()
    assert Project.objects.exclude(staleness="").exists()
    cache.clear()  # the rolled-back examples before this one left their lists
    for scope in SCOPES:
        lists.attention(scope)  # kept before the writes
    for op in operations:
        _apply(op, admin_user, leader, people, units, projects)
        for scope in SCOPES:
            assert lists.attention(scope) == _fresh(scope), (op, scope)


@pytest.mark.django_db
def test_a_working_days_writes_that_change_nothing_shown_leave_the_lists_kept(personas):
    with time_machine.travel(datetime.datetime(2025, 11, 20, 10, tzinfo=TZ), tick=False):
        project = factories.ProjectFactory(unit=personas.unit_a, leader=personas.leader)
        project.team.set([personas.officer_a])
        before = watch.version()
        # A filing of a project with no warning, its correction, the edit form saved unchanged.
        entry = services.progress_create(
            user=personas.admin,
            project_id=project.pk,
            month=datetime.date(2025, 10, 1),
            funds_in_place=Decimal("10"),
            investment_completed=Decimal("10"),
        )
        services.progress_update(
            user=personas.admin, progress_id=entry.pk, funds_in_place=Decimal("12")
        )
        project.refresh_from_db()
        services.project_update(
            project_id=project.pk,
            version=project.version,
            user=personas.admin,
            team=[personas.officer_a],
            name=project.name,
            total_investment=project.total_investment,
            construction_content="新增说明",
        )
        assert watch.version() == before
        # A new member of the task force is shown (四个一): the version moves.
        project.refresh_from_db()
        services.project_update(
            project_id=project.pk,
            version=project.version,
            user=personas.admin,
            team=[personas.officer_a, personas.officer_b],
        )
        assert watch.version() > before


@pytest.mark.django_db
def test_the_admins_deletion_of_a_problem_moves_the_version(personas):
    problems = [factories.ProblemFactory(), factories.ProblemFactory()]
    request = RequestFactory().post("/")
    request.user = personas.admin
    before = watch.version()
    admin.site._registry[Problem].delete_model(request, problems[0])
    assert watch.version() > before
    before = watch.version()
    admin.site._registry[Problem].delete_queryset(request, Problem.objects.all())
    assert watch.version() > before
    assert not Problem.objects.exists()


@pytest.mark.django_db
def test_a_units_save_moves_the_version():
    unit = factories.UnitFactory(uses_project_manager=False)
    before = watch.version()
    unit.uses_project_manager = True
    unit.save()
    assert watch.version() > before


@pytest.mark.django_db
def test_an_import_bumps_the_version_once_at_its_end(personas):
    before = watch.version()
    with (
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        month_totals.deferred(),
    ):
        for _ in range(3):
            services.problem_create(
                user=personas.admin,
                project_id=factories.ProjectFactory().pk,
                category="land",
                description="待落实",
                unit=personas.unit_a,
                deadline=datetime.date(2030, 1, 1),
            )
        assert watch.version() == before  # held back until the block ends
    bumps = [q for q in queries.captured_queries if 'UPDATE "projects_version"' in q["sql"]]
    assert len(bumps) == 1
    assert watch.version() > before


@pytest.mark.django_db
def test_a_version_never_comes_back_to_a_value_it_had():
    # A database restored from a backup holds an older version; the shared cache may still
    # hold figures kept under the versions given since.
    watch.changed()
    given = watch.version()
    Version.objects.filter(name=watch.WATCH).update(value=given - 5)  # the restore
    watch.changed()
    assert watch.version() > given


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_bump_without_waiting_on_each_other_in_a_circle():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    with time_machine.travel(datetime.datetime(2025, 11, 20, 10, tzinfo=TZ), tick=False):
        admin_user = factories.AdminFactory()
        people = [factories.OfficerFactory(), factories.OfficerFactory()]
        unit = factories.UnitFactory()
        projects = [factories.ProjectFactory(unit=unit) for _ in range(6)]
        open_problem = factories.ProblemFactory(project=projects[0])
        scope = Scope(year=2025, month=11)
        lists.attention(scope)  # kept before the writes

        def raise_on(project):
            return lambda: services.problem_create(
                user=admin_user,
                project_id=project.pk,
                category="land",
                description="用地指标待落实",
                unit=unit,
                deadline=datetime.date(2026, 1, 31),
            )

        def move():
            services.project_transition(
                project_id=projects[1].pk, to=Stage.ORANGE, user=admin_user, intent_note="有意向"
            )

        def team():
            project = Project.objects.get(pk=projects[2].pk)
            services.project_update(
                project_id=project.pk, version=project.version, user=admin_user, team=people
            )

        def resolve():
            services.problem_resolve(
                user=admin_user, problem_id=open_problem.pk, resolution="已协调", resolved_on=TODAY
            )

        writes = [raise_on(projects[3]), raise_on(projects[4]), move, team, resolve]
        writes.append(
            lambda: services.progress_create(
                user=admin_user,
                project_id=projects[5].pk,
                month=datetime.date(2025, 11, 1),
                funds_in_place=Decimal("10"),
                investment_completed=Decimal("10"),
            )
        )
        assert run_together(writes) == []
        assert lists.attention(scope) == _fresh(scope)


# --- what the review found: writers outside the services, past days, a loader's locks ---------


def test_a_team_changed_in_the_admin_is_set_by_the_service_and_moves_the_version(login, personas):
    from tests.test_project_admin import admin_form_data, change_url

    project = factories.ProjectFactory(unit=personas.unit_a)
    before = watch.version()
    response = login(personas.admin).post(
        change_url(project), admin_form_data(project, team=[personas.officer_a.pk])
    )
    assert response.status_code == 302
    assert list(project.team.all()) == [personas.officer_a]
    assert watch.version() > before


def test_a_refused_admin_save_keeps_the_team_as_it_was(login, personas):
    from tests.test_project_admin import admin_form_data, change_url

    project = factories.ProjectFactory(unit=personas.unit_a)
    loaded = admin_form_data(project, team=[personas.officer_a.pk])
    services.project_update(
        project_id=project.pk, version=project.version, user=personas.admin, name="他人先改"
    )
    response = login(personas.admin).post(change_url(project), loaded)
    assert "已被他人修改" in response.content.decode()
    assert not project.team.exists()


@pytest.mark.django_db
def test_a_deleted_manager_or_team_member_moves_the_version():
    gone = factories.OfficerFactory()
    project = factories.ProjectFactory(manager=gone)
    project.team.set([gone])
    before = watch.version()
    gone.delete()
    assert watch.version() > before


@pytest.mark.django_db
def test_a_late_filing_shows_at_once_in_a_past_periods_lists(personas):
    with time_machine.travel(datetime.datetime(2025, 11, 20, 10, tzinfo=TZ), tick=False):
        created = timezone.make_aware(datetime.datetime(2025, 1, 10))
        project = factories.ProjectFactory(unit=personas.unit_a, total_investment=3000)
        Project.objects.filter(pk=project.pk).update(created_at=created)
        project.stage_changes.update(changed_at=created)
        july = Scope(year=2025, month=7)
        flagged = lists.attention(july)["totals"]["flagged_projects"]
        assert flagged == 1  # no entry since it began: stale by the end of July
        for month in range(1, 8):
            services.progress_create(
                user=personas.admin,
                project_id=project.pk,
                month=datetime.date(2025, month, 1),
                funds_in_place=Decimal("1"),
                investment_completed=Decimal("1"),
            )
        assert lists.attention(july)["totals"]["flagged_projects"] == 0


@pytest.mark.django_db
def test_the_loader_bumps_the_versions_last(personas):
    from django.core.management import call_command

    with CaptureQueriesContext(connection) as queries:
        call_command("load_seeds", "--no-demo", verbosity=0)
    statements = [q["sql"] for q in queries.captured_queries]
    bumps = [i for i, sql in enumerate(statements) if 'UPDATE "projects_version"' in sql]
    assert bumps, "the loader moves the attention lists' version"
    assert len([i for i in bumps if "'watch'" in statements[i]]) == 1
    # Nothing is locked or written after them but the commit.
    writes = [
        i
        for i, sql in enumerate(statements)
        if sql.startswith(("UPDATE", "INSERT", "DELETE", "LOCK"))
    ]
    assert max(writes) == max(bumps)
