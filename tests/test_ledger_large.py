"""A large ledger: the preview runs a fixed number of queries whatever the number of rows, the
commit a fixed number per row, and 2,000 rows go in and come out again."""

from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledger import exports, imports, selectors, services
from ledger.models import ImportJob
from org.models import User
from projects.models import Project, ProjectCodeCounter, StageChange
from tests.ledger_files import TODAY, import_file, project_row, reference_data, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def refs(personas):
    return reference_data(personas)


def ledger(n: int, start: int = 0, investors: int = 50) -> bytes:
    """n new projects, every fourth green (with its dates), `investors` enterprises shared."""
    rows = []
    for i in range(start, start + n):
        cells = {
            "项目名称": f"批量项目{i:05d}",
            "投资方": f"批量企业{i % investors}",
            "总投资（万元）": 1000 + i,
        }
        if i % 4 == 0:
            cells.update(
                色卡阶段="绿",
                合作意向="已签约",
                签约日期="2025-01-10",
                实际开工日期="2025-05-01",
                **{"签约投资（万元）": 1000 + i},
            )
        rows.append(project_row(**cells))
    return xlsx(rows)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_the_preview_runs_the_same_queries_for_20_or_400_rows(
    personas, refs, django_assert_num_queries
):
    for content in (ledger(20), ledger(400)):
        sheet = imports.read_sheet(BytesIO(content), imports.COLUMNS["projects"])
        officer = User.objects.get(pk=personas.officer_a.pk)  # its roles not yet read
        # 1 units, 2 places, 3 chains, 4 links, 5 leaders, 6 enterprises, 7 projects,
        # 8 the officer's groups for the permission checks.
        with django_assert_num_queries(8):
            plan = imports.plan_projects(sheet, user=officer)
        assert not plan.has_errors


def test_the_commit_runs_a_fixed_number_of_queries_per_row(personas, refs):
    def commit_queries(n: int, start: int) -> int:
        # Every row names a new investor, so every row costs the same.
        content = ledger(n, start, investors=100000)
        job = services.job_create(
            user=personas.officer_a,
            kind="projects",
            upload=SimpleUploadedFile("批量.xlsx", content),
        )
        services.job_preview(job_id=job.pk)
        services.job_request_commit(job_id=job.pk, user=personas.officer_a)
        return count_queries(lambda: services.job_commit(job_id=job.pk))

    # The year's code counter is created once, by the first project numbered automatically;
    # created beforehand, that one-off insert does not fall into the first batch.
    ProjectCodeCounter.objects.get_or_create(year=timezone.localdate().year)
    # Three batches of the same mix (a quarter green, each row a new investor), each twice
    # the one before: the difference doubles too, so the cost per row is constant.
    eight, sixteen, thirty_two = (
        commit_queries(8, 0),
        commit_queries(16, 100),
        commit_queries(32, 200),
    )

    per_row = (sixteen - eight) / 8
    assert thirty_two - sixteen == 16 * per_row
    assert per_row <= 40


def test_two_thousand_rows_are_imported_and_exported_again(personas, refs):
    job = import_file(ledger(2000), personas.officer_a)

    assert job.status == ImportJob.Status.DONE
    assert job.summary["new"] == 2000
    assert Project.objects.count() == 2000
    assert StageChange.objects.filter(reason=services.IMPORT_REASON).count() == 2000

    source = selectors.projects_source({}, personas.officer_a)
    content = exports.export("projects", source.rows, applied_filters=source.applied_filters)
    again = import_file(content, personas.officer_a)

    assert again.summary["unchanged"] == 2000
