"""A header the import does not know can be told what it means on the preview page; the file
is checked again, and the unit's next uploads are read with it (issue #15, item 6)."""

import pytest
from django.urls import reverse

from ledger import services
from ledger.models import ColumnMapping, ImportJob
from projects.models import Project
from tests import factories
from tests.ledger_files import (
    PROJECT_HEADERS,
    D,
    project_row,
    upload,
    xlsx,
)

# The ledger tests' day, media folder and fast hasher, and `refs` (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_day")]


def own_headers(rows=None) -> bytes:
    """A unit's ledger that calls the name 项目名字 and the amount 投资额（亿元）."""
    renamed = {"项目名称": "项目名字", "总投资（万元）": "投资额（亿元）"}
    headers = [renamed.get(h, h) for h in PROJECT_HEADERS]
    rows = rows or [project_row(**{"总投资（万元）": 2.5})]
    return xlsx([[r[h] for h in PROJECT_HEADERS] for r in rows], headers)


def recheck(job):
    """The re-check the mapping queues (on_commit does not fire inside a test's transaction)."""
    return services.job_preview(job_id=job.pk)


def test_unknown_headers_are_offered_for_mapping_on_the_refused_files_page(personas, refs, client):
    job = upload(own_headers(), personas.officer_a)
    client.force_login(personas.officer_a)

    page = client.get(reverse("ledger:job", args=[job.pk])).content.decode()

    assert job.status == ImportJob.Status.FAILED
    assert job.preview["unknown_columns"] == ["项目名字", "投资额（亿元）"]
    assert f'action="/ledger/jobs/{job.pk}/columns/"' in page
    assert "项目名字" in page


def test_mapping_the_headers_checks_the_file_again_and_stores_as_meant(personas, refs, client):
    job = upload(own_headers(), personas.officer_a)
    client.force_login(personas.officer_a)

    response = client.post(
        reverse("ledger:columns", args=[job.pk]), {"col0": "name", "col1": "total_investment"}
    )
    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == ImportJob.Status.UPLOADED
    job = recheck(job)
    assert job.status == ImportJob.Status.PREVIEWED, job.preview
    services.job_request_commit(job_id=job.pk, user=personas.officer_a)
    job = services.job_commit(job_id=job.pk)

    project = Project.objects.get()
    assert project.name == "年产5万吨高温合金项目"
    assert project.total_investment == D("25000")  # 2.5 under 亿元
    assert set(ColumnMapping.objects.values_list("unit__name", "kind", "header", "column_key")) == {
        ("甲单位", "projects", "项目名字", "name"),
        ("甲单位", "projects", "投资额(亿元)", "total_investment"),
    }


def test_the_units_next_upload_is_read_with_the_mapping_and_other_units_are_not(personas, refs):
    job = upload(own_headers(), personas.officer_a)
    services.column_mapping_save(
        job_id=job.pk,
        user=personas.officer_a,
        choices={"项目名字": "name", "投资额（亿元）": "total_investment"},
    )
    colleague = factories.OfficerFactory(username="officer_a2", unit=personas.unit_a)

    again = upload(own_headers([project_row(项目名称="乙", **{"总投资（万元）": 1})]), colleague)
    other_unit = upload(own_headers([project_row(责任单位="乙单位")]), personas.officer_b)

    assert again.status == ImportJob.Status.PREVIEWED
    assert again.summary["new"] == 1
    assert other_unit.status == ImportJob.Status.FAILED


def test_ignoring_a_header_remembers_nothing_and_keeps_the_file_refused(personas, refs):
    job = upload(own_headers(), personas.officer_a)

    services.column_mapping_save(
        job_id=job.pk, user=personas.officer_a, choices={"项目名字": "", "投资额（亿元）": ""}
    )
    job = recheck(job)

    assert not ColumnMapping.objects.exists()
    assert job.status == ImportJob.Status.FAILED
    assert "缺少必填列“项目名称”。" in job.preview["file_errors"]


def test_a_mapping_to_a_column_twice_or_an_unoffered_header_is_refused(personas, refs):
    job = upload(own_headers(), personas.officer_a)

    with pytest.raises(services.ValidationError, match="两个表头不能对应同一列"):
        services.column_mapping_save(
            job_id=job.pk,
            user=personas.officer_a,
            choices={"项目名字": "name", "投资额（亿元）": "name"},
        )
    with pytest.raises(services.ValidationError, match="表头对应关系无效"):
        services.column_mapping_save(
            job_id=job.pk, user=personas.officer_a, choices={"别的表头": "name"}
        )
    assert not ColumnMapping.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_b", 404), ("leader", 404), ("admin", 403), ("anonymous", 302)],
)
def test_only_the_uploader_maps_a_files_headers(personas, refs, client, persona, status):
    job = upload(own_headers(), personas.officer_a)
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))

    response = client.post(reverse("ledger:columns", args=[job.pk]), {"col0": "name"})

    assert response.status_code == status
    assert not ColumnMapping.objects.exists()
