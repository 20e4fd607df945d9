"""The 督办 loop of a leader's 批示: it names a responsible unit and a deadline; the unit's
officers see it in 我的工作, reply (办理情况) and mark it done; the leader sees it open, answered,
overdue or done on the project page and in 我的项目."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Instruction, InstructionReply
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
PERSONAS = ["officer_a", "officer_b", "leader", "admin", "anonymous"]
# Who may answer a 批示 that names unit B on unit A's project.
MAY_ANSWER = {"officer_b", "admin"}


@pytest.fixture(autouse=True)
def mid_june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(unit=personas.unit_a, leader=personas.leader)


@pytest.fixture
def instruction(personas, project):
    return services.instruction_create(
        user=personas.leader,
        project_id=project.pk,
        text="请乙单位本月内协调解决用地指标",
        unit=personas.unit_b,
        deadline=datetime.date(2025, 6, 30),
    )


def as_persona(client, personas, who):
    if who != "anonymous":
        client.force_login(getattr(personas, who))
    return client


def test_a_leader_names_the_unit_and_the_deadline_on_the_page(client, personas, project):
    client.force_login(personas.leader)

    response = client.post(
        reverse("projects:instruction_add", args=[project.pk]),
        {"text": "限期办结", "problem": "", "unit": personas.unit_b.pk, "deadline": "2025-06-30"},
    )

    assert response.status_code == 302
    given = Instruction.objects.get()
    assert (given.unit, given.deadline, given.status) == (
        personas.unit_b,
        datetime.date(2025, 6, 30),
        Instruction.Status.OPEN,
    )


def test_a_deadline_is_required_and_not_in_the_past(personas, project):
    for deadline, message in ((None, "请填写办理时限。"), ("2025-06-01", "办理时限不能早于今天。")):
        with pytest.raises(ValidationError) as refused:
            services.instruction_create(
                user=personas.leader, project_id=project.pk, text="请办理", deadline=deadline
            )
        assert refused.value.message_dict == {"deadline": [message]}
    assert not Instruction.objects.exists()


def test_without_a_named_unit_the_projects_unit_answers(personas, project):
    given = services.instruction_create(
        user=personas.leader, project_id=project.pk, text="请办理", deadline="2025-06-30"
    )

    assert given.unit == personas.unit_a


def test_the_named_units_officers_see_it_in_my_work(client, personas, instruction):
    client.force_login(personas.officer_b)
    mine = client.get(reverse("projects:my_work"))
    client.force_login(personas.officer_a)
    theirs = client.get(reverse("projects:my_work"))

    assert [i.pk for i in mine.context["instructions"]] == [instruction.pk]
    assert reverse("projects:instruction_reply", args=[instruction.pk]) in mine.content.decode()
    assert theirs.context["instructions"] == []


@pytest.mark.parametrize("who", PERSONAS)
def test_replying_is_for_the_named_unit_and_admins(client, personas, instruction, who):
    url = reverse("projects:instruction_reply", args=[instruction.pk])

    response = as_persona(client, personas, who).post(url, {"text": "已召开协调会，指标已落实"})

    instruction.refresh_from_db()
    if who in MAY_ANSWER:
        assert response.status_code == 302
        assert instruction.status == Instruction.Status.ANSWERED
        assert InstructionReply.objects.get().replied_by == getattr(personas, who)
    else:
        assert response.status_code in (302, 403)
        if who == "anonymous":
            assert response.url.startswith(reverse("login"))
        else:
            assert response.status_code == 403
            assert "乙单位" in response.content.decode()
        assert instruction.status == Instruction.Status.OPEN
        assert not InstructionReply.objects.exists()


def test_the_loop_open_answered_done_as_the_leader_sees_it(client, personas, instruction):
    services.instruction_reply(
        user=personas.officer_b, instruction_id=instruction.pk, text="已召开协调会"
    )
    client.force_login(personas.leader)
    answered = client.get(reverse("projects:my_projects")).context["instruction_counts"]

    services.instruction_reply(
        user=personas.officer_b, instruction_id=instruction.pk, text="指标已落实", done=True
    )
    done = client.get(reverse("projects:my_projects")).context["instruction_counts"]
    page = client.get(reverse("projects:detail", args=[instruction.project_id]))

    assert answered == {"open": 0, "answered": 1, "overdue": 0, "done": 0}
    assert done == {"open": 0, "answered": 0, "overdue": 0, "done": 1}
    instruction.refresh_from_db()
    assert instruction.status == Instruction.Status.DONE
    assert instruction.done_at is not None
    html = page.content.decode()
    assert "已召开协调会" in html and "指标已落实" in html and "已办结" in html


def test_a_done_instruction_takes_no_more_replies(personas, instruction):
    services.instruction_reply(
        user=personas.officer_b, instruction_id=instruction.pk, text="已办结", done=True
    )

    with pytest.raises(ValidationError):
        services.instruction_reply(
            user=personas.officer_b, instruction_id=instruction.pk, text="再补充"
        )
    assert InstructionReply.objects.count() == 1


def test_an_empty_reply_is_refused(client, personas, instruction):
    client.force_login(personas.officer_b)

    response = client.post(
        reverse("projects:instruction_reply", args=[instruction.pk]), {"text": "  "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert not InstructionReply.objects.exists()


def test_past_its_deadline_it_shows_overdue_to_the_leader_and_in_the_citys_work(
    client, personas, instruction
):
    with time_machine.travel(datetime.datetime(2025, 7, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(personas.leader)
        counts = client.get(reverse("projects:my_projects")).context["instruction_counts"]
        page = client.get(reverse("projects:detail", args=[instruction.project_id]))
        client.force_login(personas.admin)
        city = client.get(reverse("projects:my_work")).context["instructions"]

    assert counts == {"open": 1, "answered": 0, "overdue": 1, "done": 0}
    assert "已逾期" in page.content.decode()
    assert [i.pk for i in city] == [instruction.pk]


def test_the_admin_shows_the_loop_and_its_replies(client, personas, instruction):
    services.instruction_reply(
        user=personas.officer_b, instruction_id=instruction.pk, text="已召开协调会"
    )
    client.force_login(personas.admin)

    listing = client.get("/admin/projects/instruction/")
    change = client.get(f"/admin/projects/instruction/{instruction.pk}/change/")

    assert listing.status_code == change.status_code == 200
    assert "已召开协调会" in change.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_replying_through_the_api(client, personas, instruction, who):
    response = as_persona(client, personas, who).post(
        f"/api/v1/instructions/{instruction.pk}/reply/",
        {"text": "指标已落实", "done": True},
        content_type="application/json",
    )

    instruction.refresh_from_db()
    if who in MAY_ANSWER:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "done"
        assert instruction.status == Instruction.Status.DONE
    else:
        assert response.status_code in (401, 403)
        assert instruction.status == Instruction.Status.OPEN
        assert not InstructionReply.objects.exists()
