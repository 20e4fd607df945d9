"""Who may do what on the project pages: every persona × every action.

The project belongs to unit A. Officers write only their own unit's projects, leaders read
everything and write none, admins do everything, anonymous visitors are sent to log in. A
refusal changes nothing.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from projects.models import Project, StageChange
from projects.stages import Stage
from tests import factories
from tests.test_project_pages import form_data

PERSONAS = ("officer_a", "officer_b", "leader", "admin", "anonymous")

# action -> expected status per persona, in the order above. 302 for a write means it was
# saved; for the anonymous visitor it is the redirect to the login page.
EXPECTED = {
    # (officer_a, officer_b, leader, admin, anonymous)
    "list": (200, 200, 200, 200, 302),
    "board": (200, 200, 200, 200, 302),
    "detail": (200, 200, 200, 200, 302),
    "create_get": (200, 200, 403, 200, 302),
    # Officer B is offered only unit B: the form refuses unit A on its field (200, nothing saved).
    "create_post": (302, 200, 403, 302, 302),
    "edit_get": (200, 403, 403, 200, 302),
    "edit_post": (302, 403, 403, 302, 302),
    "transition_get": (200, 403, 403, 200, 302),
    "transition_post": (302, 403, 403, 302, 302),
}
WRITES = {"create_post", "edit_post", "transition_post"}


@pytest.fixture(autouse=True)
def frozen_today():
    moment = datetime.datetime(2025, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(name="甲单位的项目", unit=personas.unit_a, stage=Stage.RED)


def snapshot():
    return (
        list(Project.objects.order_by("pk").values_list("pk", "name", "stage", "version")),
        StageChange.objects.count(),
    )


def perform(client, action, project, personas):
    if action == "list":
        return client.get(reverse("projects:list"))
    if action == "board":
        return client.get(reverse("projects:board"))
    if action == "detail":
        return client.get(reverse("projects:detail", args=[project.pk]))
    if action == "create_get":
        return client.get(reverse("projects:create"))
    if action == "create_post":
        data = form_data(project, code="JC-NEW-1", name="新项目", stage="red", team=[])
        data.pop("version")
        return client.post(reverse("projects:create"), data)
    if action == "edit_get":
        return client.get(reverse("projects:edit", args=[project.pk]))
    if action == "edit_post":
        return client.post(
            reverse("projects:edit", args=[project.pk]), form_data(project, name="改过的名称")
        )
    if action == "transition_get":
        return client.get(reverse("projects:transition", args=[project.pk]), {"to": "orange"})
    if action == "transition_post":
        return client.post(
            reverse("projects:transition", args=[project.pk]),
            {"to": "orange", "intent_note": "企业有意向", "version": project.version},
        )
    raise AssertionError(action)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_the_permission_matrix(client, personas, project, action, persona):
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    before = snapshot()

    response = perform(client, action, project, personas)

    expected = dict(zip(PERSONAS, EXPECTED[action], strict=True))[persona]
    assert response.status_code == expected
    if persona == "anonymous":
        assert response.url.startswith(reverse("login"))
    saved = action in WRITES and expected == 302 and persona != "anonymous"
    if saved:
        assert snapshot() != before
    else:
        assert snapshot() == before


def test_a_refused_create_for_another_unit_says_so_on_the_unit_field(login, personas, project):
    data = form_data(project, code="JC-NEW-1", stage="red", team=[])
    data.pop("version")

    response = login(personas.officer_b).post(reverse("projects:create"), data)

    assert response.context["form"].errors["unit"]


def test_a_user_without_a_role_reads_nothing(client, project):
    client.force_login(factories.UserFactory(username="norole"))

    assert client.get(reverse("projects:list")).status_code == 403
    assert client.get(reverse("projects:board")).status_code == 403
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 403
    assert client.get(reverse("projects:create")).status_code == 403


def test_an_officer_cannot_hand_their_project_to_another_unit(login, personas, project):
    response = login(personas.officer_a).post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, unit=personas.unit_b.pk),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    project.refresh_from_db()
    assert project.unit == personas.unit_a


def test_an_admin_may_move_a_project_to_another_unit(login, personas, project):
    login(personas.admin).post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, unit=personas.unit_b.pk),
    )

    project.refresh_from_db()
    assert project.unit == personas.unit_b
