"""The Django admin saves projects through the services: errors on fields, never a 500, and
no save over someone else's newer edit."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Instruction, Project
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


def instruction_inline(instruction, **overrides):
    """The inline row of an instruction already shown on the problem's admin page."""
    given_at = timezone.localtime(instruction.given_at)
    row = {
        "id": instruction.pk,
        "problem": instruction.problem_id,
        "leader": instruction.leader_id,
        "text": instruction.text,
        "given_at_0": given_at.date().isoformat(),
        "given_at_1": given_at.strftime("%H:%M:%S"),
        "unit": instruction.unit_id or "",
        "deadline": instruction.deadline.isoformat() if instruction.deadline else "",
        "status": instruction.status,
    }
    row.update(overrides)
    data = {f"instructions-0-{name}": value for name, value in row.items()}
    data.update({"instructions-TOTAL_FORMS": "1", "instructions-INITIAL_FORMS": "1"})
    return data


@pytest.fixture
def raised_ten_days_ago(personas):
    today = timezone.localdate()
    return factories.ProblemFactory(
        project=factories.ProjectFactory(unit=personas.unit_a),
        unit=personas.unit_a,
        raised_at=timezone.now() - datetime.timedelta(days=10),
        deadline=today + datetime.timedelta(days=30),
    )


def problem_url(problem):
    return reverse("admin:projects_problem_change", args=[problem.pk])


def test_an_admin_correction_is_saved_through_the_service_with_a_history_row(
    login, personas, raised_ten_days_ago
):
    problem = raised_ten_days_ago
    new_deadline = timezone.localdate() + datetime.timedelta(days=60)

    response = login(personas.admin).post(
        problem_url(problem),
        problem_data(
            problem,
            description="用地指标已报省厅，待批复",
            unit=personas.unit_b.pk,
            deadline=new_deadline.isoformat(),
        ),
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.description, problem.unit, problem.deadline) == (
        "用地指标已报省厅，待批复",
        personas.unit_b,
        new_deadline,
    )
    assert problem.history.count() == 2
    assert problem.history.first().history_user == personas.admin


def test_a_deadline_before_the_day_raised_is_refused_with_a_message_and_nothing_is_kept(
    login, personas, raised_ten_days_ago
):
    problem = raised_ten_days_ago
    instruction = Instruction.objects.create(
        project=problem.project, problem=problem, leader=personas.leader, text="请尽快协调解决"
    )
    raised_on = timezone.localdate(problem.raised_at)
    data = problem_data(
        problem,
        description="改过的描述",
        deadline=(raised_on - datetime.timedelta(days=1)).isoformat(),
    )
    # The same form also edits the instruction shown inline.
    data.update(instruction_inline(instruction, text="改过的批示"))

    response = login(personas.admin).post(problem_url(problem), data, follow=True)

    assert response.status_code == 200
    assert f"办结时限不能早于问题提出日期（{raised_on.isoformat()}）。" in response.content.decode()
    problem.refresh_from_db()
    assert problem.description == "用地指标待落实"
    assert problem.history.count() == 1
    instruction.refresh_from_db()
    assert instruction.text == "请尽快协调解决"


def test_typing_a_resolution_without_resolving_is_refused(login, personas, raised_ten_days_ago):
    problem = raised_ten_days_ago

    response = login(personas.admin).post(
        problem_url(problem),
        problem_data(problem, description="改过的描述", resolution="已协调"),
        follow=True,
    )

    assert "请将状态改为“已解决”" in response.content.decode()
    problem.refresh_from_db()
    assert (problem.description, problem.resolution) == ("用地指标待落实", "")


def test_a_correction_with_a_refused_resolution_is_not_kept_either(
    login, personas, raised_ten_days_ago
):
    problem = raised_ten_days_ago

    response = login(personas.admin).post(
        problem_url(problem),
        problem_data(problem, description="改过的描述", status="resolved", resolution="已协调"),
        follow=True,
    )

    assert "请填写解决日期" in response.content.decode()
    problem.refresh_from_db()
    assert (problem.status, problem.description) == ("open", "用地指标待落实")
    assert problem.history.count() == 1


def test_saving_the_admin_form_unchanged_writes_no_history(login, personas, raised_ten_days_ago):
    problem = raised_ten_days_ago

    response = login(personas.admin).post(problem_url(problem), problem_data(problem))

    assert response.status_code == 302
    assert problem.history.count() == 1


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "leader", "auditor", "admin"])
def test_only_admins_correct_problems_in_the_admin_even_with_the_staff_flag(
    login, personas, raised_ten_days_ago, persona
):
    problem = raised_ten_days_ago
    user = getattr(personas, persona)
    user.is_staff = True
    user.save()

    response = login(user).post(problem_url(problem), problem_data(problem, description="改过"))

    problem.refresh_from_db()
    if persona == "admin":
        assert response.url == reverse("admin:projects_problem_changelist")
        assert problem.description == "改过"
    else:
        assert response.url.startswith(reverse("admin:login"))
        assert problem.description == "用地指标待落实"


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_changes(client, raised_ten_days_ago):
    problem = raised_ten_days_ago

    response = client.post(problem_url(problem), problem_data(problem, description="改过"))

    assert response.url.startswith(reverse("admin:login"))
    problem.refresh_from_db()
    assert problem.description == "用地指标待落实"
