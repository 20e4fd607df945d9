"""需补录 (issue #15, item 7): a ledger that says a project is orange but has no 合作意向
column states the office's truth. The stage is imported through the stage service (reason
"Excel导入"), and the missing fact is listed on the project and in 我的工作 until filled."""

import pytest
import time_machine
from django.urls import reverse

from ledger.models import ImportJob
from ledger.services import IMPORT_REASON
from projects import backfill, services
from projects.models import Project
from projects.stages import Stage
from tests.ledger_files import (
    PROJECT_HEADERS,
    TODAY,
    import_file,
    project_row,
    reference_data,
    xlsx,
)

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
def orange(personas):
    """An orange project imported from a ledger that has no 合作意向 column."""
    reference_data(personas)
    headers = [h for h in PROJECT_HEADERS if h != "合作意向"]
    row = project_row(色卡阶段="橙")
    job = import_file(xlsx([[row[h] for h in headers]], headers), personas.officer_a)
    assert job.status == ImportJob.Status.DONE, job.preview
    return Project.objects.get()


def test_the_stated_stage_is_stored_through_the_stage_service(orange):
    assert orange.stage == Stage.ORANGE
    change = orange.stage_changes.get()
    assert (change.to_stage, change.reason) == (Stage.ORANGE, IMPORT_REASON)
    assert backfill.missing_labels(orange) == ["合作意向"]


def test_the_project_page_lists_what_to_fill_in(orange, personas, login):
    page = login(personas.officer_a).get(reverse("projects:detail", args=[orange.pk]))

    assert "需补录：合作意向" in page.content.decode()


def test_my_work_lists_the_project_until_the_fact_is_filled_in(orange, personas, login):
    client = login(personas.officer_a)
    assert [p.pk for p in client.get(reverse("projects:my_work")).context["to_backfill"]] == [
        orange.pk
    ]

    services.project_update(
        project_id=orange.pk, version=orange.version, user=personas.officer_a, intent_note="有意向"
    )

    assert client.get(reverse("projects:my_work")).context["to_backfill"] == []
    page = client.get(reverse("projects:detail", args=[orange.pk])).content.decode()
    assert "需补录" not in page


def test_another_units_officer_does_not_see_it_in_my_work(orange, personas, login):
    response = login(personas.officer_b).get(reverse("projects:my_work"))

    assert response.context["to_backfill"] == []


def test_an_edit_of_something_else_is_not_blocked_by_the_missing_fact(orange, personas):
    project = services.project_update(
        project_id=orange.pk,
        version=orange.version,
        user=personas.officer_a,
        construction_content="新的建设内容",
    )

    assert project.construction_content == "新的建设内容"
    assert backfill.missing_labels(project) == ["合作意向"]


def test_a_move_by_hand_still_needs_what_the_stage_stands_on(orange, personas):
    with pytest.raises(services.ValidationError, match="升为蓝色需先填写签约日期"):
        services.project_transition(
            project_id=orange.pk, to=Stage.BLUE, user=personas.officer_a, reason="推进"
        )
