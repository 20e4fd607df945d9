"""The Django admin saves projects through the services: errors on fields, never a 500, and
no save over someone else's newer edit."""

import datetime

import pytest
from django.urls import reverse

from projects import services
from projects.models import Project
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db


def admin_form_data(project, **overrides):
    data = {
        "code": project.code,
        "name": project.name,
        "investor": project.investor_id,
        "total_investment": str(project.total_investment),
        "place": project.place_id,
        "unit": project.unit_id,
        "chain": project.chain_id or "",
        "lead_source": project.lead_source,
        "intent_note": project.intent_note,
        "signed_on": project.signed_on.isoformat() if project.signed_on else "",
        "started_on": project.started_on.isoformat() if project.started_on else "",
        "loaded_version": project.version,
        "stage_changes-TOTAL_FORMS": "0",
        "stage_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def test_clearing_what_the_stage_stands_on_is_a_field_error_not_a_server_error(login, personas):
    project = factories.ProjectFactory(stage=Stage.GREEN, unit=personas.unit_a)

    response = login(personas.admin).post(
        change_url(project), admin_form_data(project, started_on="")
    )

    assert response.status_code == 200
    assert "升为绿色需先填写实际开工日期" in response.content.decode()
    project.refresh_from_db()
    assert project.started_on == datetime.date(2024, 6, 1)


def test_a_save_over_a_newer_edit_is_refused(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, name="原名称")
    loaded = admin_form_data(project, name="管理员的名称")
    services.project_update(
        project_id=project.pk, version=project.version, user=personas.officer_a, name="专员的名称"
    )

    response = login(personas.admin).post(change_url(project), loaded)

    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert Project.objects.get(pk=project.pk).name == "专员的名称"


def test_a_valid_admin_edit_is_saved_through_the_service(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, name="原名称")

    response = login(personas.admin).post(
        change_url(project), admin_form_data(project, name="新名称")
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.version) == ("新名称", 2)
