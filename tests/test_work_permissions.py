"""Who may do what on the daily-work pages: every action × every persona, with the status
code AND the data checked, so a refusal is known to have changed nothing.

Officers write only their own unit's projects (officer_a owns the project here); leaders read
everything and give instructions; admins do everything; anonymous visitors are sent to log in.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from projects import services
from projects.models import Enterprise, Instruction, MonthlyProgress, Problem
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
PERSONAS = ["officer_a", "officer_b", "leader", "admin", "anonymous"]


@pytest.fixture(autouse=True)
def mid_june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def world(personas):
    project = factories.ProjectFactory(unit=personas.unit_a, leader=personas.leader)
    return SimpleNamespace(
        project=project,
        progress=factories.ProgressFactory(project=project, month=datetime.date(2025, 5, 1)),
        problem=factories.ProblemFactory(project=project, unit=personas.unit_a),
        enterprise=factories.EnterpriseFactory(name="金车储能"),
        event=factories.EventFactory(),
    )


def as_persona(client, personas, name):
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


# (url, form data, what the action changes, who may do it)
WRITES = {
    "progress_add": (
        lambda w: reverse("projects:progress_add", args=[w.project.pk]),
        {"month": "2025-06", "investment_completed": "10", "funds_in_place": "5"},
        lambda w: MonthlyProgress.objects.count(),
        {"officer_a", "admin"},
    ),
    "progress_edit": (
        lambda w: reverse("projects:progress_edit", args=[w.progress.pk]),
        {"month": "2025-05", "investment_completed": "11", "funds_in_place": "6"},
        lambda w: MonthlyProgress.objects.values_list("investment_completed", flat=True).get(
            pk=w.progress.pk
        ),
        {"officer_a", "admin"},
    ),
    "problem_add": (
        lambda w: reverse("projects:problem_add", args=[w.project.pk]),
        {"category": "land", "description": "用地", "deadline": "2025-07-01"},
        lambda w: Problem.objects.count(),
        {"officer_a", "admin"},
    ),
    "problem_resolve": (
        lambda w: reverse("projects:problem_resolve", args=[w.problem.pk]),
        {"resolution": "已协调", "resolved_on": "2025-06-15"},
        lambda w: Problem.objects.values_list("status", flat=True).get(pk=w.problem.pk),
        {"officer_a", "admin"},
    ),
    "instruction_add": (
        lambda w: reverse("projects:instruction_add", args=[w.project.pk]),
        {"text": "抓紧推进", "deadline": "2025-07-01"},
        lambda w: Instruction.objects.count(),
        {"leader", "admin"},
    ),
    "enterprise_add": (
        lambda w: reverse("projects:enterprise_add"),
        {"name": "新客商", "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"},
        lambda w: Enterprise.objects.count(),
        {"officer_a", "officer_b", "admin"},
    ),
    "enterprise_edit": (
        lambda w: reverse("projects:enterprise_edit", args=[w.enterprise.pk]),
        {"name": "金车储能（改）", "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"},
        lambda w: Enterprise.objects.values_list("name", flat=True).get(pk=w.enterprise.pk),
        {"officer_a", "officer_b", "admin"},
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(WRITES))
def test_each_write_is_allowed_to_its_roles_and_refused_to_the_rest_changing_nothing(
    client, personas, world, action, persona
):
    url, data, state, allowed = WRITES[action]
    data = dict(data)
    if action in ("problem_add", "instruction_add"):
        data["unit"] = personas.unit_a.pk
    client = as_persona(client, personas, persona)
    before = state(world)

    form = client.get(url(world))
    response = client.post(url(world), data)

    if persona == "anonymous":
        for answer in (form, response):
            assert answer.status_code == 302
            assert answer.url.startswith(reverse("login"))
        assert state(world) == before
    elif persona in allowed:
        assert form.status_code == 200
        assert response.status_code == 302, response.content.decode()[:500]
        assert state(world) != before
    else:
        # The form is not even shown to someone who may not submit it.
        assert (form.status_code, response.status_code) == (403, 403)
        assert state(world) == before


def test_the_unit_a_problem_is_assigned_to_may_resolve_it_but_not_raise_one(
    client, personas, world
):
    assigned_to_b = factories.ProblemFactory(project=world.project, unit=personas.unit_b)
    client = as_persona(client, personas, "officer_b")

    resolved = client.post(
        reverse("projects:problem_resolve", args=[assigned_to_b.pk]),
        {"resolution": "已协调", "resolved_on": "2025-06-15"},
    )
    raised = client.post(
        reverse("projects:problem_add", args=[world.project.pk]),
        {
            "category": "land",
            "description": "用地",
            "unit": personas.unit_b.pk,
            "deadline": "2025-07-01",
        },
    )

    assert resolved.status_code == 302
    assigned_to_b.refresh_from_db()
    assert assigned_to_b.status == Problem.Status.RESOLVED
    assert raised.status_code == 403
    assert Problem.objects.count() == 2


READS = {
    "my_work": lambda w: reverse("projects:my_work"),
    "my_projects": lambda w: reverse("projects:my_projects"),
    "problem_list": lambda w: reverse("projects:problem_list"),
    "event_list": lambda w: reverse("projects:event_list"),
    "event_detail": lambda w: reverse("projects:event_detail", args=[w.event.pk]),
    "enterprise_list": lambda w: reverse("projects:enterprise_list"),
    "enterprise_detail": lambda w: reverse("projects:enterprise_detail", args=[w.enterprise.pk]),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(READS))
def test_every_role_reads_the_work_pages_and_strangers_are_sent_to_log_in(
    client, personas, world, page, persona
):
    response = as_persona(client, personas, persona).get(READS[page](world))

    if persona == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif page == "my_work" and persona == "leader":
        assert response.status_code == 302
        assert response.url == reverse("projects:my_projects")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("page", list(READS))
def test_a_user_without_a_role_is_refused(client, world, page):
    client.force_login(factories.UserFactory(username="no_role"))

    assert client.get(READS[page](world)).status_code == 403


# The services check the same rules for the API and the import: called directly, a refused
# persona gets PermissionDenied and nothing is written.
SERVICE_CALLS = {
    "progress_create": (
        lambda w, u: services.progress_create(
            user=u,
            project_id=w.project.pk,
            month=datetime.date(2025, 6, 1),
            investment_completed=Decimal("1"),
            funds_in_place=Decimal("1"),
        ),
        {"officer_a", "admin"},
    ),
    "progress_update": (
        lambda w, u: services.progress_update(user=u, progress_id=w.progress.pk, narrative="改"),
        {"officer_a", "admin"},
    ),
    "problem_create": (
        lambda w, u: services.problem_create(
            user=u,
            project_id=w.project.pk,
            category="land",
            description="用地",
            unit=w.project.unit,
            deadline=datetime.date(2025, 7, 1),
        ),
        {"officer_a", "admin"},
    ),
    "problem_resolve": (
        lambda w, u: services.problem_resolve(
            user=u, problem_id=w.problem.pk, resolution="已办", resolved_on="2025-06-15"
        ),
        {"officer_a", "admin"},
    ),
    "instruction_create": (
        lambda w, u: services.instruction_create(
            user=u, project_id=w.project.pk, text="办", deadline="2025-07-01"
        ),
        {"leader", "admin"},
    ),
    "enterprise_create": (
        lambda w, u: services.enterprise_create(user=u, name="另一家企业"),
        {"officer_a", "officer_b", "admin"},
    ),
    "enterprise_update": (
        lambda w, u: services.enterprise_update(
            user=u, enterprise_id=w.enterprise.pk, origin="湖南"
        ),
        {"officer_a", "officer_b", "admin"},
    ),
}


def everything():
    return (
        list(MonthlyProgress.objects.values_list("pk", "month", "narrative")),
        list(Problem.objects.values_list("pk", "status")),
        Instruction.objects.count(),
        list(Enterprise.objects.values_list("pk", "name", "origin")),
    )


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "leader", "admin"])
@pytest.mark.parametrize("call", list(SERVICE_CALLS))
def test_each_service_refuses_the_roles_its_page_refuses(personas, world, call, persona):
    run, allowed = SERVICE_CALLS[call]
    before = everything()

    if persona in allowed:
        run(world, getattr(personas, persona))
        assert everything() != before
    else:
        with pytest.raises(PermissionDenied):
            run(world, getattr(personas, persona))
        assert everything() == before
