"""Project codes the office's way: JC-{year}-{NNNN}, numbered per year, given where none is
typed (form, API, Excel import, all through project_create), a typed code still wins, and
concurrent creations never get the same number."""

import datetime
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections
from django.urls import reverse

from ledger.models import ImportJob
from projects import services
from projects.models import Project, ProjectCodeCounter
from tests import factories
from tests.ledger_files import import_file, project_row, reference_data, xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def mid_june_2026():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def create(user, unit, **fields):
    defaults = {
        "name": "新能源电池材料项目",
        "investor": factories.EnterpriseFactory(),
        "total_investment": Decimal("8000"),
        "place": factories.PlaceFactory(),
        "unit": unit,
    }
    defaults.update(fields)
    return services.project_create(user=user, **defaults)


@pytest.mark.django_db
def test_projects_without_a_code_are_numbered_in_order(personas):
    first = create(personas.officer_a, personas.unit_a)
    second = create(personas.officer_a, personas.unit_a, code="")

    assert (first.code, second.code) == ("JC-2026-0001", "JC-2026-0002")
    assert ProjectCodeCounter.objects.get(year=2026).last == 2


@pytest.mark.django_db
def test_a_typed_code_wins_and_its_number_is_never_handed_out(personas):
    typed = create(personas.officer_a, personas.unit_a, code="JC-2026-0001")
    given = create(personas.officer_a, personas.unit_a)

    assert typed.code == "JC-2026-0001"
    assert given.code == "JC-2026-0002"


@pytest.mark.django_db
def test_each_year_starts_again_at_one(personas):
    create(personas.officer_a, personas.unit_a)
    with time_machine.travel(datetime.datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        next_year = create(personas.officer_a, personas.unit_a)
    backdated = create(
        personas.officer_a,
        personas.unit_a,
        at=datetime.datetime(2024, 3, 1, 9, 0, tzinfo=SHANGHAI),
    )

    assert next_year.code == "JC-2027-0001"
    assert backdated.code == "JC-2024-0001"


@pytest.mark.django_db
def test_the_form_numbers_a_project_left_without_a_code(client, personas):
    client.force_login(personas.officer_a)
    data = {
        "code": "",
        "name": "表单新建项目",
        "investor": factories.EnterpriseFactory().pk,
        "total_investment": "8000",
        "place": factories.PlaceFactory().pk,
        "unit": personas.unit_a.pk,
        "lead_source": "other",
        "stage": "red",
    }

    response = client.post(reverse("projects:create"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Project.objects.get(name="表单新建项目").code == "JC-2026-0001"


@pytest.mark.django_db
def test_the_api_numbers_a_project_posted_without_a_code(client, personas):
    client.force_login(personas.officer_a)
    body = {
        "name": "接口新建项目",
        "investor": factories.EnterpriseFactory().pk,
        "total_investment": "8000",
        "place": factories.PlaceFactory().pk,
        "unit": personas.unit_a.pk,
    }

    response = client.post("/api/v1/projects/", body, content_type="application/json")

    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "JC-2026-0001"


@pytest.mark.django_db
def test_the_excel_import_numbers_through_the_service(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reference_data(personas)
    create(personas.officer_a, personas.unit_a)  # JC-2026-0001 is taken before the import
    row = project_row(项目编号=None)

    job = import_file(xlsx([row]), personas.officer_a)

    assert job.status == ImportJob.Status.DONE, job.preview
    assert Project.objects.get(name=row["项目名称"]).code == "JC-2026-0002"


# --- Concurrency, on PostgreSQL (SQLite serialises writers and has no row locks) -------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_get_distinct_consecutive_numbers(personas):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL")
    investor = factories.EnterpriseFactory()
    place = factories.PlaceFactory()
    start = threading.Barrier(8)
    codes, errors = [], []

    def worker(n):
        try:
            start.wait()
            project = create(
                personas.officer_a,
                personas.unit_a,
                name=f"并发项目{n}",
                investor=investor,
                place=place,
            )
            codes.append(project.code)
        except Exception as exc:  # reported below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(codes) == [f"JC-2026-{n:04d}" for n in range(1, 9)]
    assert ProjectCodeCounter.objects.get(year=2026).last == 8
