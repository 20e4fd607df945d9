"""The color-card state machine: every allowed and forbidden move."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects import stages
from projects.models import Project, StageChange
from projects.services import EditConflict, project_create, project_transition
from projects.stages import Stage
from tests import factories

S = Stage
ALLOWED = {
    (S.RED, S.ORANGE),
    (S.ORANGE, S.RED),
    (S.ORANGE, S.BLUE),
    (S.BLUE, S.GREEN),
    (S.GREEN, S.OPERATING),
    # jumps (need a reason)
    (S.RED, S.BLUE),
    (S.RED, S.GREEN),
    (S.RED, S.OPERATING),
    (S.ORANGE, S.GREEN),
    (S.ORANGE, S.OPERATING),
    (S.BLUE, S.OPERATING),
    # drops from anywhere, and a dropped project taken up again from red
    (S.RED, S.DROPPED),
    (S.ORANGE, S.DROPPED),
    (S.BLUE, S.DROPPED),
    (S.GREEN, S.DROPPED),
    (S.OPERATING, S.DROPPED),
    (S.DROPPED, S.RED),
}


@pytest.mark.parametrize("frm", list(S))
@pytest.mark.parametrize("to", list(S))
def test_the_move_graph(frm, to):
    assert stages.is_allowed_move(frm, to) == ((frm, to) in ALLOWED)


@pytest.mark.parametrize(
    ("frm", "to", "needed"),
    [
        (S.RED, S.ORANGE, False),
        (S.ORANGE, S.BLUE, False),
        (S.ORANGE, S.RED, True),
        (S.RED, S.BLUE, True),
        (S.GREEN, S.DROPPED, True),
        (S.DROPPED, S.RED, True),
        (S.GREEN, S.OPERATING, False),
    ],
)
def test_downgrades_drops_and_jumps_need_a_reason(frm, to, needed):
    assert stages.needs_reason(frm, to) is needed


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("红", S.RED),
        ("红色", S.RED),
        ("橙色", S.ORANGE),
        ("蓝", S.BLUE),
        ("绿色", S.GREEN),
        ("已投产", S.OPERATING),
        ("终止", S.DROPPED),
        ("green", S.GREEN),
        ("紫色", None),
        # An English export writes the label; a background import reads it in Chinese.
        ("In operation", S.OPERATING),
    ],
)
def test_stage_names_people_write(text, stage):
    assert stages.parse_stage(text) == stage


@pytest.fixture
def officer(db):
    return factories.OfficerFactory()


def _move(project, to, user, **kw):
    return project_transition(project_id=project.pk, to=to, user=user, **kw)


@pytest.mark.django_db
def test_red_to_orange_needs_the_intent_recorded(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.RED, intent_note="")
    with pytest.raises(ValidationError) as err:
        _move(project, "orange", officer)
    assert "合作意向" in str(err.value)
    project.refresh_from_db()
    assert project.stage == S.RED
    assert project.stage_changes.count() == 1  # only the creation row

    moved = _move(project, "orange", officer, intent_note="拟投资10亿元建设隔膜项目")
    assert moved.stage == S.ORANGE
    change = moved.stage_changes.last()
    assert (change.from_stage, change.to_stage, change.changed_by) == ("red", "orange", officer)


@pytest.mark.django_db
def test_orange_to_blue_needs_the_signing_date_which_the_move_may_supply(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.ORANGE)
    with pytest.raises(ValidationError, match="签约日期"):
        _move(project, "blue", officer)
    with pytest.raises(ValidationError, match="签约投资"):
        _move(project, "blue", officer, on=datetime.date(2025, 6, 26))
    moved = _move(
        project,
        "blue",
        officer,
        on=datetime.date(2025, 6, 26),
        values={"contracted_investment": Decimal("6000")},
    )
    assert (moved.signed_on, moved.contracted_investment) == (
        datetime.date(2025, 6, 26),
        Decimal("6000"),
    )
    assert moved.stage == S.BLUE


@pytest.mark.django_db
def test_blue_to_green_needs_the_start_date_not_before_signing(officer):
    project = factories.ProjectFactory(
        unit=officer.unit, stage=S.BLUE, signed_on=datetime.date(2025, 3, 1)
    )
    with pytest.raises(ValidationError, match="开工日期"):
        _move(project, "green", officer)
    with pytest.raises(ValidationError, match="不能早于签约日期"):
        _move(project, "green", officer, on=datetime.date(2025, 2, 1))
    project.refresh_from_db()
    assert project.started_on is None
    assert _move(project, "green", officer, on=datetime.date(2025, 4, 1)).stage == S.GREEN


@pytest.mark.django_db
def test_green_to_operating_needs_the_operation_date(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.GREEN)
    with pytest.raises(ValidationError, match="投产日期"):
        _move(project, "operating", officer)
    assert _move(project, "operating", officer, on=datetime.date(2025, 9, 1)).stage == S.OPERATING


@pytest.mark.django_db
def test_a_downgrade_without_a_reason_changes_nothing(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.ORANGE)
    with pytest.raises(ValidationError, match="降级须填写原因"):
        _move(project, "red", officer)
    moved = _move(project, "red", officer, reason="企业投资意向减弱")
    assert moved.stage == S.RED
    assert moved.stage_changes.last().reason == "企业投资意向减弱"


@pytest.mark.django_db
def test_a_jump_needs_a_reason_and_every_requirement_on_the_way(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.RED, intent_note="有意向")
    with pytest.raises(ValidationError, match="跨阶段升级须填写原因"):
        _move(project, "green", officer, on=datetime.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="签约日期"):
        _move(project, "green", officer, on=datetime.date(2025, 5, 1), reason="签约即开工")


@pytest.mark.django_db
def test_a_drop_from_any_stage_needs_a_reason(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.GREEN)
    with pytest.raises(ValidationError, match="终止须填写原因"):
        _move(project, "dropped", officer)
    assert _move(project, "dropped", officer, reason="企业资金链断裂").stage == S.DROPPED


@pytest.mark.django_db
def test_forbidden_moves_and_unknown_stages_are_refused(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.GREEN)
    with pytest.raises(ValidationError, match="不能从绿色直接变更为蓝色"):
        _move(project, "blue", officer, reason="x")
    with pytest.raises(ValidationError, match="未知的色卡阶段"):
        _move(project, "purple", officer)
    project.refresh_from_db()
    assert project.stage == S.GREEN


@pytest.mark.django_db
def test_a_move_on_a_stale_version_is_a_conflict(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.RED, intent_note="有意向")
    with pytest.raises(EditConflict):
        _move(
            project,
            "orange",
            officer,
            version=project.version - 1 if project.version > 1 else project.version + 1,
        )
    assert Project.objects.get(pk=project.pk).stage == S.RED


@pytest.mark.django_db
def test_stage_changes_are_never_edited(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.RED)
    change = StageChange.objects.get(project=project)
    change.reason = "rewritten"
    with pytest.raises(ValueError):
        change.save()


@pytest.mark.django_db
def test_a_dropped_project_loses_its_stale_warning_at_once(officer):
    project = factories.ProjectFactory(unit=officer.unit, stage=S.GREEN, staleness="yellow")

    _move(project, "dropped", officer, reason="企业放弃投资")

    project.refresh_from_db()
    assert project.staleness == ""


def test_no_path_creates_a_project_that_starts_dropped(officer):
    # The service itself refuses, so the form, the API and the Excel import all do.
    with pytest.raises(ValidationError) as refused:
        project_create(
            user=officer,
            code="JC-T-DROP",
            name="一开始就终止的项目",
            investor=factories.EnterpriseFactory(),
            total_investment=8000,
            place=factories.PlaceFactory(),
            unit=officer.unit,
            stage=Stage.DROPPED,
        )
    assert refused.value.message_dict == {"stage": ["新项目不能以终止状态开始。"]}
    assert not Project.objects.filter(code="JC-T-DROP").exists()
