"""The kept month totals and funds to date equal the entries they sum, after any filings,
corrections and moves; a closed month's kept card counts change exactly when its past does."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from dashboard import amounts, figures
from projects import month_ends, month_totals, services
from projects.models import MonthEnd, MonthlyProgress, MonthTotal, Project
from projects.periods import Scope
from projects.stages import Stage
from tests import factories
from tests.concurrency import run_together
from tests.properties import db_examples

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 11, 20)
MONTHS = [datetime.date(2025, m, 1) for m in range(1, 12)]
AMOUNTS = st.decimals(min_value=0, max_value=900, places=2)


def kept_rows() -> dict:
    return {
        (r.month, r.dimension, r.key): (r.funds_in_place, r.investment_completed, r.entries)
        for r in MonthTotal.objects.all()
        # A row emptied by a correction or a move equals no row.
        if r.funds_in_place or r.investment_completed or r.entries
    }


def funds_to_date_rows() -> dict:
    return {(e.project_id, e.month): e.funds_to_date for e in MonthEnd.objects.order_by("pk")}


def summed_funds_to_date() -> dict:
    return {
        (e.project_id, e.month): MonthlyProgress.objects.filter(
            project_id=e.project_id, month__lte=e.month
        ).aggregate(total=Sum("funds_in_place"))["total"]
        or Decimal("0")
        for e in MonthEnd.objects.all()
    }


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("file"), st.integers(0, 3), st.sampled_from(MONTHS), AMOUNTS, AMOUNTS),
        st.tuples(st.just("correct"), st.integers(0, 20), st.sampled_from(MONTHS), AMOUNTS),
        st.tuples(st.just("move"), st.integers(0, 3), st.sampled_from(["unit", "chain", "place"])),
        st.tuples(st.just("lead"), st.integers(0, 3), st.booleans()),
    ),
    min_size=1,
    max_size=12,
)


@db_examples(25)
@given(operations=OPERATIONS)
def test_kept_totals_equal_the_entries_after_any_filings_corrections_and_moves(db, operations):
    with time_machine.travel(TODAY, tick=False), transaction.atomic():
        admin = factories.AdminFactory()
        leader = factories.LeaderFactory()
        units = [factories.UnitFactory(), factories.UnitFactory()]
        chains = [factories.ChainFactory(), factories.ChainFactory()]
        places = [factories.PlaceFactory(), factories.PlaceFactory()]
        projects = [
            factories.ProjectFactory(unit=units[0], chain=chains[0], place=places[0])
            for _ in range(4)
        ]
        # Months already built before the writes: their funds to date must follow them.
        month_ends.ensure(datetime.date(2025, 3, 1), datetime.date(2025, 9, 1))
        for op in operations:
            if op[0] == "file":
                _, i, month, funds, completed = op
                if not MonthlyProgress.objects.filter(project=projects[i], month=month).exists():
                    services.progress_create(
                        user=admin,
                        project_id=projects[i].pk,
                        month=month,
                        funds_in_place=funds,
                        investment_completed=completed,
                    )
            elif op[0] == "correct":
                _, i, month, funds = op
                entries = list(MonthlyProgress.objects.order_by("pk"))
                if not entries:
                    continue
                entry = entries[i % len(entries)]
                taken = MonthlyProgress.objects.filter(project=entry.project, month=month)
                fields = {"funds_in_place": funds}
                if not taken.exclude(pk=entry.pk).exists():
                    fields["month"] = month  # a correction may move the entry to another month
                services.progress_update(user=admin, progress_id=entry.pk, **fields)
            else:
                project = Project.objects.get(pk=projects[op[1]].pk)
                if op[0] == "move":
                    choices = {"unit": units, "chain": chains, "place": places}[op[2]]
                    current = getattr(project, f"{op[2]}_id")
                    fields = {op[2]: next(c for c in choices if c.pk != current)}
                else:
                    fields = {"leader": leader if op[2] else None}
                services.project_update(
                    project_id=project.pk, version=project.version, user=admin, **fields
                )
        kept, ends = kept_rows(), funds_to_date_rows()
        month_totals.rebuild()
        assert kept == kept_rows()
        assert ends == summed_funds_to_date()


@pytest.mark.django_db
def test_one_filter_reads_the_kept_rows_and_gives_the_sums_of_the_entries():
    with time_machine.travel(TODAY, tick=False):
        unit = factories.UnitFactory()
        mine = factories.ProjectFactory(unit=unit)
        other = factories.ProjectFactory()
        for month in MONTHS[:6]:
            factories.ProgressFactory(project=mine, month=month, funds_in_place=Decimal("12.5"))
            factories.ProgressFactory(project=other, month=month, funds_in_place=Decimal("7"))
        one_filter = Scope(year=2025, month=6, unit_id=unit.pk)
        # Two filters are summed from the entries: the same projects, the same sums.
        two_filters = Scope(year=2025, month=6, unit_id=unit.pk, place_id=mine.place_id)
        kept = amounts.month_sums(one_filter, MONTHS[0], MONTHS[5])
        summed = amounts.month_sums(two_filters, MONTHS[0], MONTHS[5])
        assert kept == summed
        assert sum(row["funds"] for row in kept.values()) == Decimal("75.00")


@pytest.mark.django_db
def test_a_project_with_its_history_cannot_be_deleted_in_the_admin(client):
    # Its moves are history (immutable), so the totals never lose entries to a delete.
    admin = factories.AdminFactory(is_superuser=True, is_staff=True)
    project = factories.ProjectFactory()
    factories.ProgressFactory(project=project, month=MONTHS[2], funds_in_place=Decimal("9"))
    client.force_login(admin)
    url = reverse("admin:projects_project_delete", args=[project.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()
    row = MonthTotal.objects.get(month=MONTHS[2], dimension="all", key=0)
    assert (row.funds_in_place, row.entries) == (Decimal("9.00"), 1)


# --- the closed months' kept card counts -------------------------------------------------------


@pytest.fixture
def closed_month(db):
    """A project signed in March 2025, on the card since January; the dashboard of September
    (closed on 20 November) read once, so its counts are kept."""
    with time_machine.travel(datetime.datetime(2025, 1, 5, 12, tzinfo=TZ), tick=False):
        project = factories.ProjectFactory(stage=Stage.BLUE, signed_on=datetime.date(2025, 3, 3))
    return project


def new_signings(scope):
    return figures.headline(scope)["new_signings"]


def test_a_late_signing_date_changes_the_closed_month_at_once(closed_month):
    scope = Scope(year=2025, month=9)
    admin = factories.AdminFactory()
    with time_machine.travel(TODAY, tick=False):
        assert new_signings(scope) == 1
        version = month_ends.cards_version()
        services.project_update(
            project_id=closed_month.pk,
            version=closed_month.version,
            user=admin,
            signed_on=datetime.date(2024, 12, 30),
        )
        assert month_ends.cards_version() != version
        assert new_signings(scope) == 0


def test_an_edit_that_no_closed_month_reads_keeps_their_counts(closed_month):
    admin = factories.AdminFactory()
    with time_machine.travel(TODAY, tick=False):
        version = month_ends.cards_version()
        services.project_update(
            project_id=closed_month.pk,
            version=closed_month.version,
            user=admin,
            name="改名后的项目",
            expected_completion_on=datetime.date(2027, 1, 1),
        )
        assert month_ends.cards_version() == version


def test_a_late_filing_for_a_closed_month_shows_in_its_funds_at_once(closed_month):
    scope = Scope(year=2025, month=9)
    admin = factories.AdminFactory()
    with time_machine.travel(TODAY, tick=False):
        before = figures.dashboard(scope)
        version = month_ends.cards_version()
        services.progress_create(
            user=admin,
            project_id=closed_month.pk,
            month=datetime.date(2025, 8, 1),
            funds_in_place=Decimal("300"),
            investment_completed=Decimal("50"),
        )
        after = figures.dashboard(scope)
        # The card did not change, so its counts are still the kept ones ...
        assert month_ends.cards_version() == version
        # ... and the money is the entries' at once, everywhere it shows.
        gained = after["headline"]["funds_in_place_ytd"] - before["headline"]["funds_in_place_ytd"]
        assert gained == Decimal("300.00")
        assert after["by_unit"][0]["funds_ytd"] == Decimal("300.00")
        assert after["monthly_funds"]["this_year"][7] == Decimal("300.00")
        assert after["forecast"]["actual"] == after["headline"]["funds_in_place_ytd"]


# --- Concurrency, on PostgreSQL (SQLite serialises writers and has no row locks) -------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_corrections_and_moves_lose_nothing():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")
    with time_machine.travel(TODAY, tick=False):
        admin = factories.AdminFactory()
        unit, other_unit = factories.UnitFactory(), factories.UnitFactory()
        chain, place = factories.ChainFactory(), factories.PlaceFactory()
        projects = [factories.ProjectFactory(unit=unit, chain=chain, place=place) for _ in range(6)]
        # Entries to correct (one moves to another month) while others file the same cells.
        moved = factories.ProgressFactory(project=projects[0], month=MONTHS[8])
        factories.ProgressFactory(project=projects[1], month=MONTHS[8])

        def filing(project):
            return lambda: services.progress_create(
                user=admin,
                project_id=project.pk,
                month=MONTHS[9],
                funds_in_place=Decimal("10.50"),
                investment_completed=Decimal("3"),
            )

        def handover():
            project = Project.objects.get(pk=projects[1].pk)
            services.project_update(
                project_id=project.pk, version=project.version, user=admin, unit=other_unit
            )

        def correction():
            services.progress_update(
                user=admin, progress_id=moved.pk, month=MONTHS[9], funds_in_place=Decimal("7")
            )

        writes = [filing(p) for p in projects[1:]] + [handover, correction]
        assert run_together(writes) == []
        kept = kept_rows()
        month_totals.rebuild()
        assert kept == kept_rows()
        city = MonthTotal.objects.get(month=MONTHS[9], dimension="all", key=0)
        assert (city.funds_in_place, city.entries) == (Decimal("59.50"), 6)


# --- deletions, imports, hand-overs ----------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_deleted_in_the_admin_leaves_the_totals_and_funds_to_date(client):
    with time_machine.travel(datetime.datetime(2025, 1, 5, 12, tzinfo=TZ), tick=False):
        project = factories.ProjectFactory()  # on the card since January
    with time_machine.travel(TODAY, tick=False):
        admin = factories.AdminFactory(is_superuser=True, is_staff=True)
        month_ends.ensure(MONTHS[5])
        gone = factories.ProgressFactory(project=project, month=MONTHS[2], funds_in_place=9)
        factories.ProgressFactory(project=project, month=MONTHS[3], funds_in_place=4)
        client.force_login(admin)
        url = reverse("admin:projects_monthlyprogress_delete", args=[gone.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not MonthlyProgress.objects.filter(pk=gone.pk).exists()
        kept, ends = kept_rows(), funds_to_date_rows()
        assert ends[(project.pk, MONTHS[5])] == Decimal("4.00")
        month_totals.rebuild()
        assert kept == kept_rows()
        assert ends == summed_funds_to_date()


@pytest.mark.django_db
def test_only_who_works_on_the_project_deletes_its_entries():
    from django.core.exceptions import PermissionDenied

    entry = factories.ProgressFactory()
    for user in (factories.LeaderFactory(), factories.OfficerFactory()):
        with pytest.raises(PermissionDenied):
            services.progress_delete(user=user, progress_ids=[entry.pk])
    assert MonthlyProgress.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_an_import_adds_to_the_shared_rows_once_at_its_end():
    with time_machine.travel(TODAY, tick=False):
        admin = factories.AdminFactory()
        projects = [factories.ProjectFactory() for _ in range(3)]
        with month_totals.deferred():
            for project in projects:
                services.progress_create(
                    user=admin,
                    project_id=project.pk,
                    month=MONTHS[4],
                    funds_in_place=Decimal("5"),
                    investment_completed=Decimal("1"),
                )
            # Nothing locked or added yet: the rows wait for the end of the import.
            assert not MonthTotal.objects.exists()
        city = MonthTotal.objects.get(month=MONTHS[4], dimension="all", key=0)
        assert (city.funds_in_place, city.entries) == (Decimal("15.00"), 3)
        kept = kept_rows()
        month_totals.rebuild()
        assert kept == kept_rows()


@pytest.mark.django_db
def test_a_leader_with_projects_is_handed_over_not_deleted():
    from django.db.models import ProtectedError

    leader = factories.LeaderFactory()
    factories.ProjectFactory(leader=leader)
    with pytest.raises(ProtectedError):
        leader.delete()


@pytest.mark.django_db
def test_a_month_emptied_by_a_correction_reads_as_no_data_not_zero():
    with time_machine.travel(TODAY, tick=False):
        admin = factories.AdminFactory()
        entry = factories.ProgressFactory(month=datetime.date(2024, 3, 1), funds_in_place=8)
        # Moved to another month: March 2024 has no entry left.
        services.progress_update(user=admin, progress_id=entry.pk, month=datetime.date(2024, 4, 1))
        last_year = figures.monthly_funds(Scope(year=2025, month=6))["last_year"]
        assert last_year[2] is None
        assert last_year[3] == Decimal("8.00")
