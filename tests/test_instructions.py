"""Leaders' instructions (批示) on a project or on one of its problems."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Instruction
from tests import factories

pytestmark = pytest.mark.django_db
# The 督办 deadline every instruction names; a month ahead of whatever today is.
DEADLINE = timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(unit=personas.unit_a, leader=personas.leader)


def test_a_leader_instructs_on_a_project(personas, login, project):
    response = login(personas.leader).post(
        reverse("projects:instruction_add", args=[project.pk]),
        {
            "text": "请发改委牵头，月底前协调解决用地指标。",
            "problem": "",
            "unit": project.unit_id,
            "deadline": DEADLINE.isoformat(),
        },
    )

    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    instruction = Instruction.objects.get()
    assert (instruction.project, instruction.problem, instruction.leader) == (
        project,
        None,
        personas.leader,
    )
    assert instruction.text == "请发改委牵头，月底前协调解决用地指标。"


def test_the_form_opened_from_a_problem_preselects_it(personas, login, project):
    problem = factories.ProblemFactory(project=project)
    factories.ProblemFactory()  # another project's problem is not offered

    response = login(personas.leader).get(
        reverse("projects:instruction_add", args=[project.pk]) + f"?problem={problem.pk}"
    )

    field = response.context["form"]["problem"]
    assert str(field.value()) == str(problem.pk)
    assert list(field.field.queryset) == [problem]


def test_an_instruction_on_a_problem_is_linked_to_it(personas, login, project):
    problem = factories.ProblemFactory(project=project)

    login(personas.admin).post(
        reverse("projects:instruction_add", args=[project.pk]),
        {
            "text": "限期办结",
            "problem": problem.pk,
            "unit": project.unit_id,
            "deadline": DEADLINE.isoformat(),
        },
    )

    assert Instruction.objects.get().problem == problem


def test_an_empty_instruction_is_refused(personas, login, project):
    response = login(personas.leader).post(
        reverse("projects:instruction_add", args=[project.pk]), {"text": "  ", "problem": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert not Instruction.objects.exists()


def test_the_service_refuses_a_problem_of_another_project(personas, project):
    stranger = factories.ProblemFactory()

    with pytest.raises(ValidationError) as caught:
        services.instruction_create(
            user=personas.leader,
            project_id=project.pk,
            text="请办理",
            problem_id=stranger.pk,
            deadline=DEADLINE,
        )

    assert caught.value.message_dict == {"problem": ["所选问题不属于该项目。"]}
    assert not Instruction.objects.exists()


def test_an_instruction_needs_a_person_to_give_it(project):
    with pytest.raises(ValidationError) as caught:
        services.instruction_create(user=None, project_id=project.pk, text="系统批示")

    assert caught.value.message_dict == {"leader": ["批示须由领导本人作出。"]}
    assert not Instruction.objects.exists()


def test_the_leaders_instructions_are_listed_under_my_projects(personas, login, project):
    services.instruction_create(
        user=personas.leader, project_id=project.pk, text="加快建设进度", deadline=DEADLINE
    )

    response = login(personas.leader).get(reverse("projects:my_projects"))

    assert [i.text for i in response.context["instructions"]] == ["加快建设进度"]
    assert response.context["projects"][0].instruction_count == 1
