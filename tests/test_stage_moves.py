"""A move of the color card fills its own requirements and begins on the date it states.

The move form asks what the move needs (intent for orange, signing date and contracted amount
for blue, start date for green), keeps what was typed when refused, and the stage begins on the
stated date while the history row keeps the time the move was recorded.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Project, StageChange
from projects.stages import Stage
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 30, 14, 5, tzinfo=SHANGHAI)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thirtieth_of_november():
    with time_machine.travel(NOW, tick=False):
        yield


def move(client, project, **data):
    data.setdefault("version", Project.objects.get(pk=project.pk).version)
    return client.post(reverse("projects:transition", args=[project.pk]), data)


def test_blue_begins_on_the_signing_date_not_the_day_it_was_typed(personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    moved = services.project_transition(
        project_id=project.pk,
        to="blue",
        user=personas.officer_a,
        on=datetime.date(2026, 11, 28),
        values={"contracted_investment": Decimal("26600")},
    )

    assert timezone.localtime(moved.stage_changed_at).date() == datetime.date(2026, 11, 28)
    change = StageChange.objects.get(project=project, to_stage=Stage.BLUE)
    assert change.changed_at == NOW  # the history keeps when the move was recorded
    assert change.effective_on == datetime.date(2026, 11, 28)


def test_a_move_stating_no_date_begins_when_it_is_recorded(personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    moved = services.project_transition(
        project_id=project.pk, to="orange", user=personas.officer_a, intent_note="意向较强"
    )

    assert moved.stage_changed_at == NOW
    assert StageChange.objects.get(project=project, to_stage=Stage.ORANGE).effective_on is None


def test_green_and_operation_begin_on_their_dates(personas):
    project = factories.ProjectFactory(
        unit=personas.unit_a, stage=Stage.BLUE, signed_on=datetime.date(2026, 3, 1)
    )
    started = services.project_transition(
        project_id=project.pk, to="green", user=personas.officer_a, on=datetime.date(2026, 5, 8)
    )
    assert timezone.localtime(started.stage_changed_at).date() == datetime.date(2026, 5, 8)

    running = services.project_transition(
        project_id=project.pk,
        to="operating",
        user=personas.officer_a,
        on=datetime.date(2026, 11, 30),
    )
    # Stated as today: the moment it was recorded.
    assert running.stage_changed_at == NOW


def test_the_project_page_says_since_the_signing_date(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)
    services.project_transition(
        project_id=project.pk,
        to="blue",
        user=personas.officer_a,
        on=datetime.date(2026, 11, 28),
        values={"contracted_investment": Decimal("26600")},
    )

    page = login(personas.officer_a).get(reverse("projects:detail", args=[project.pk]))

    assert "自 2026-11-28" in page.content.decode()


def test_red_to_blue_is_filled_in_the_move_form_alone(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = move(
        login(personas.officer_a),
        project,
        to="blue",
        intent_note="企业决定投资建设",
        signed_on="2026-11-28",
        contracted_investment="26600",
        reason="已在推介会上直接签约",
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    project.refresh_from_db()
    assert (
        project.stage,
        project.intent_note,
        project.signed_on,
        project.contracted_investment,
    ) == (Stage.BLUE, "企业决定投资建设", datetime.date(2026, 11, 28), Decimal("26600"))


def test_the_move_form_asks_what_the_jump_needs(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = login(personas.officer_a).get(
        reverse("projects:transition", args=[project.pk]), {"to": "green"}
    )

    green = next(t for t in response.context["targets"] if t["stage"] == Stage.GREEN)
    assert green["fields"] == ["intent_note", "signed_on", "contracted_investment", "started_on"]
    assert green["needs_reason"]
    html = response.content.decode()
    assert 'name="contracted_investment"' in html
    assert "请先" not in html  # no detour through the edit page


def test_a_refused_move_keeps_what_was_typed_and_ticks_it(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = move(
        login(personas.officer_a),
        project,
        to="green",
        intent_note="企业决定投资建设",
        started_on="2026-11-20",
        reason="签约后即开工",
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form["intent_note"].value() == "企业决定投资建设"
    assert form["started_on"].value() == "2026-11-20"
    assert form["reason"].value() == "签约后即开工"
    assert "升为蓝色需先填写签约日期。" in form.errors["signed_on"]
    green = next(t for t in response.context["targets"] if t["stage"] == Stage.GREEN)
    assert {r["field"]: r["met"] for r in green["requirements"]} == {
        "intent_note": True,
        "signed_on": False,
        "contracted_investment": False,
        "started_on": True,
    }
    project.refresh_from_db()
    assert (project.stage, project.intent_note, project.started_on) == (Stage.RED, "", None)


def test_what_was_typed_for_another_target_is_not_saved(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = move(
        login(personas.officer_a),
        project,
        to="orange",
        intent_note="意向较强",
        started_on="2026-11-20",  # typed while green was chosen, then orange was picked
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.started_on) == (Stage.ORANGE, None)


def test_a_blue_project_without_a_contracted_amount_stays_editable_and_may_go_green(personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.BLUE)
    assert project.contracted_investment is None

    edited = services.project_update(
        project_id=project.pk, version=project.version, user=personas.officer_a, name="改名"
    )
    moved = services.project_transition(
        project_id=project.pk, to="green", user=personas.officer_a, on=datetime.date(2026, 6, 1)
    )

    assert edited.name == "改名"
    assert moved.stage == Stage.GREEN


def test_going_blue_needs_the_contracted_amount(personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    with pytest.raises(ValidationError) as refused:
        services.project_transition(
            project_id=project.pk,
            to="blue",
            user=personas.officer_a,
            on=datetime.date(2026, 11, 28),
        )

    assert refused.value.message_dict == {
        "contracted_investment": ["升为蓝色需先填写签约投资（万元）。"]
    }
    project.refresh_from_db()
    assert (project.stage, project.signed_on) == (Stage.ORANGE, None)


def test_a_project_entered_at_green_began_on_its_start_date(personas):
    project = services.project_create(
        user=personas.officer_a,
        code="JC-G-1",
        name="已开工项目",
        investor=factories.EnterpriseFactory(),
        total_investment=Decimal("9000"),
        contracted_investment=Decimal("9000"),
        place=factories.PlaceFactory(),
        unit=personas.unit_a,
        stage="green",
        intent_note="已签约",
        signed_on=datetime.date(2026, 3, 1),
        started_on=datetime.date(2026, 5, 8),
    )

    assert timezone.localtime(project.stage_changed_at).date() == datetime.date(2026, 5, 8)
    created = project.stage_changes.get()
    assert (created.changed_at, created.effective_on) == (NOW, datetime.date(2026, 5, 8))
