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


# --- progress entries -------------------------------------------------------------------------


def progress_data(project, month: str, **overrides):
    data = {
        "project": project.pk,
        "month": month,
        "investment_completed": "100",
        "funds_in_place": "50",
        "narrative": "主体厂房封顶",
        "next_steps": "",
    }
    data.update(overrides)
    return data


def test_an_admin_progress_entry_goes_through_the_service_and_refreshes_the_warning(
    login, personas
):
    project = factories.ProjectFactory(unit=personas.unit_a, staleness="red")
    this_month = datetime.date.today().replace(day=1).isoformat()

    response = login(personas.admin).post(
        reverse("admin:projects_monthlyprogress_add"), progress_data(project, this_month)
    )

    assert response.status_code == 302
    entry = project.progress.get()
    assert (entry.funds_in_place, entry.filed_by) == (50, personas.admin)
    project.refresh_from_db()
    assert project.staleness == ""  # the service recomputed it


def test_a_second_entry_for_the_same_month_is_refused_in_the_admin_too(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a)
    month = datetime.date.today().replace(day=1)
    factories.ProgressFactory(project=project, month=month)

    response = login(personas.admin).post(
        reverse("admin:projects_monthlyprogress_add"),
        progress_data(project, month.isoformat()),
        follow=True,
    )

    assert response.status_code == 200
    assert project.progress.count() == 1


def test_an_entry_the_service_refuses_is_a_message_not_a_server_error(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a)
    next_year = datetime.date.today().replace(day=1, year=datetime.date.today().year + 1)

    response = login(personas.admin).post(
        reverse("admin:projects_monthlyprogress_add"),
        progress_data(project, next_year.isoformat()),
        follow=True,
    )

    assert response.status_code == 200
    assert "不能填报未来月份" in response.content.decode()
    assert not project.progress.exists()


# --- problems ---------------------------------------------------------------------------------


def problem_data(problem, **overrides):
    data = {
        "project": problem.project_id,
        "category": problem.category,
        "description": problem.description,
        "unit": problem.unit_id,
        "deadline": problem.deadline.isoformat(),
        "status": problem.status,
        "resolution": problem.resolution,
        "resolved_on": "",
        "instructions-TOTAL_FORMS": "0",
        "instructions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_resolving_in_the_admin_needs_what_the_service_needs(login, personas):
    problem = factories.ProblemFactory(unit=personas.unit_a)
    url = reverse("admin:projects_problem_change", args=[problem.pk])

    refused = login(personas.admin).post(
        url, problem_data(problem, status="resolved", description="改过的描述"), follow=True
    )

    assert "请填写解决情况" in refused.content.decode()
    problem.refresh_from_db()
    assert (problem.status, problem.description) == ("open", problem.description)
    assert problem.description != "改过的描述"  # nothing half-saved

    today = datetime.date.today().isoformat()
    response = login(personas.admin).post(
        url,
        problem_data(problem, status="resolved", resolution="已协调解决", resolved_on=today),
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.status, problem.resolution) == ("resolved", "已协调解决")
