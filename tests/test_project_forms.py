"""Creating, editing and moving a project through the pages: every bad input gets a Chinese
message on its field and changes nothing; a stale edit is a conflict, never an overwrite."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from projects import services
from projects.models import Project, StageChange
from projects.stages import Stage
from tests import factories
from tests.test_project_pages import form_data


@pytest.fixture(autouse=True)
def frozen_today():
    moment = datetime.datetime(2025, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def refs(db):
    return {
        "investor": factories.EnterpriseFactory(name="甘肃佰利联化学有限公司"),
        "place": factories.PlaceFactory(name="金川区"),
        "chain": factories.ChainFactory(name="化工循环"),
    }


def new_project(personas, refs, **changes) -> dict:
    data = {
        "code": "JC-2025-001",
        "name": "40万吨合成金红石项目",
        "investor": refs["investor"].pk,
        "total_investment": "120000",
        "contracted_investment": "",
        "chain": refs["chain"].pk,
        "chain_link": "",
        "place": refs["place"].pk,
        "construction_content": "",
        "lead_source": "chain",
        "event": "",
        "intent_note": "",
        "first_contact_on": "2025-03-02",
        "signed_on": "",
        "started_on": "",
        "expected_completion_on": "",
        "operating_on": "",
        "unit": personas.unit_a.pk,
        "leader": personas.leader.pk,
        "team": [personas.officer_a.pk],
        "manager": "",
        "stage": "red",
    }
    data.update(changes)
    return data


def errors_of(response, field) -> list[str]:
    return response.context["form"].errors.get(field, [])


# --- Create ----------------------------------------------------------------------------------


def test_an_officer_creates_a_red_project_of_their_unit(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs)
    )

    project = Project.objects.get(code="JC-2025-001")
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert project.stage == Stage.RED
    assert project.unit == personas.unit_a
    assert project.created_by == personas.officer_a
    assert list(project.team.all()) == [personas.officer_a]
    move = StageChange.objects.get(project=project)
    assert (move.from_stage, move.to_stage) == ("", Stage.RED)


def test_a_new_project_is_created_with_its_co_investors(login, personas, refs):
    partner = factories.EnterpriseFactory(name="金川集团股份有限公司")

    login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, co_investors=[partner.pk])
    )

    assert list(Project.objects.get(code="JC-2025-001").co_investors.all()) == [partner]


def test_the_create_form_offers_an_officer_only_their_own_unit(login, personas, refs):
    response = login(personas.officer_a).get(reverse("projects:create"))

    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [personas.unit_a]
    assert response.context["form"]["unit"].value() == personas.unit_a.pk


def test_an_officer_cannot_create_for_another_unit(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, unit=personas.unit_b.pk)
    )

    assert response.status_code == 200
    assert errors_of(response, "unit")
    assert not Project.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "0.00"])
def test_a_total_investment_that_is_not_positive_is_refused(login, personas, refs, amount):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, total_investment=amount)
    )

    assert errors_of(response, "total_investment") == ["金额必须大于0。"]
    assert "请更正下列标红的项目" in response.content.decode()
    assert not Project.objects.exists()


def test_an_absurd_amount_is_refused_as_a_unit_slip(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, total_investment="12000000")
    )

    (message,) = errors_of(response, "total_investment")
    assert "超出合理范围" in message
    assert "万元" in message
    assert not Project.objects.exists()


def test_a_negative_contracted_investment_is_refused(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, contracted_investment="-1")
    )

    assert errors_of(response, "contracted_investment") == ["金额不能为负数。"]
    assert not Project.objects.exists()


def test_a_start_before_the_signing_is_refused(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"),
        new_project(personas, refs, signed_on="2025-05-01", started_on="2025-04-01"),
    )

    assert errors_of(response, "started_on") == ["开工日期不能早于签约日期。"]
    assert not Project.objects.exists()


def test_a_signing_date_in_the_future_is_refused(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, signed_on="2025-08-01")
    )

    assert errors_of(response, "signed_on") == ["实际发生的日期不能晚于今天。"]
    assert not Project.objects.exists()


def test_a_chain_link_of_another_chain_is_refused(login, personas, refs):
    other_link = factories.ChainLinkFactory(name="正极材料")

    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, chain_link=other_link.pk)
    )

    assert errors_of(response, "chain_link") == ["所选环节不属于该产业链。"]
    assert not Project.objects.exists()


def test_the_chain_link_options_name_their_chain_for_the_page_filter(login, personas, refs):
    link = factories.ChainLinkFactory(chain=refs["chain"], name="氯碱")

    html = login(personas.officer_a).get(reverse("projects:create")).content.decode()

    assert f'data-chain="{refs["chain"].pk}" value="{link.pk}"' in html or (
        f'value="{link.pk}" data-chain="{refs["chain"].pk}"' in html
    )


def test_a_duplicate_code_is_refused_on_its_field(login, personas, refs):
    factories.ProjectFactory(code="JC-2025-001")

    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs)
    )

    assert errors_of(response, "code")
    assert Project.objects.count() == 1


def test_an_unknown_stage_is_refused(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, stage="purple")
    )

    (message,) = errors_of(response, "stage")
    assert "purple 不在可用的选项中" in message
    assert not Project.objects.exists()


def test_starting_at_orange_needs_the_intent(login, personas, refs):
    response = login(personas.officer_a).post(
        reverse("projects:create"), new_project(personas, refs, stage="orange")
    )

    assert errors_of(response, "stage") == ["升为橙色需先记录合作意向。"]
    assert not Project.objects.exists()


def test_starting_at_orange_with_the_intent_is_accepted(login, personas, refs):
    login(personas.officer_a).post(
        reverse("projects:create"),
        new_project(personas, refs, stage="orange", intent_note="企业来金考察后表达投资意向"),
    )

    assert Project.objects.get().stage == Stage.ORANGE


# --- Edit ------------------------------------------------------------------------------------


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(
        name="智能铜电解项目",
        unit=personas.unit_a,
        stage=Stage.GREEN,
        total_investment=Decimal("80000"),
    )


def test_an_edit_is_saved_and_bumps_the_version(login, personas, project):
    response = login(personas.officer_a).post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, total_investment="85000"),
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.total_investment == Decimal("85000")
    assert project.version == 2


def test_an_edit_sets_the_co_investors_in_the_same_save(login, personas, project):
    partner = factories.EnterpriseFactory(name="金川集团股份有限公司")
    other = factories.EnterpriseFactory(name="甘肃电投集团")
    client = login(personas.officer_a)

    response = client.post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, co_investors=[partner.pk, other.pk]),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert set(project.co_investors.all()) == {partner, other}
    assert project.version == 2

    client.post(reverse("projects:edit", args=[project.pk]), form_data(project, co_investors=[]))

    project.refresh_from_db()
    assert not project.co_investors.exists()
    assert project.version == 3


def test_a_stale_edit_of_the_co_investors_is_a_conflict_and_changes_nothing(
    login, personas, project
):
    partner = factories.EnterpriseFactory(name="金川集团股份有限公司")
    opened = form_data(project, co_investors=[partner.pk])
    services.project_update(
        project_id=project.pk, version=1, user=personas.admin, total_investment=Decimal("88000")
    )

    response = login(personas.officer_a).post(reverse("projects:edit", args=[project.pk]), opened)

    rows = {r["label"]: r for r in response.context["conflict"]["rows"]}
    assert (rows["其他投资方"]["mine"], rows["其他投资方"]["theirs"]) == (
        "金川集团股份有限公司",
        "—",
    )
    assert rows["其他投资方"]["differs"]
    assert not project.co_investors.exists()


def test_the_service_sets_co_investors_on_update_and_keeps_them_when_not_given(personas, project):
    partner = factories.EnterpriseFactory()

    services.project_update(
        project_id=project.pk, version=1, user=personas.officer_a, m2m={"co_investors": [partner]}
    )
    services.project_update(project_id=project.pk, version=2, user=personas.officer_a, name="新名")

    project.refresh_from_db()
    assert list(project.co_investors.all()) == [partner]
    assert (project.name, project.version) == ("新名", 3)


def test_the_edit_form_carries_the_version_it_was_opened_at(login, personas, project):
    html = login(personas.officer_a).get(reverse("projects:edit", args=[project.pk]))

    assert 'type="hidden" name="version" value="1"' in html.content.decode()


def test_a_stale_edit_is_a_conflict_that_shows_the_saved_version(login, personas, project):
    opened = form_data(project, total_investment="90000")
    # Someone else saves after the page was opened.
    services.project_update(
        project_id=project.pk, version=1, user=personas.admin, total_investment=Decimal("88000")
    )

    response = login(personas.officer_a).post(reverse("projects:edit", args=[project.pk]), opened)

    assert response.status_code == 200
    html = response.content.decode()
    assert "该项目已被他人修改（当前版本 2）" in html
    assert "保存冲突" in html
    rows = {r["label"]: r for r in response.context["conflict"]["rows"]}
    amount = rows["总投资（万元）"]
    assert (amount["mine"], amount["theirs"], amount["differs"]) == (
        "9.00亿元",
        "8.80亿元",
        True,
    )
    assert not rows["项目名称"]["differs"]
    project.refresh_from_db()
    assert project.total_investment == Decimal("88000")
    assert project.version == 2


def test_saving_again_after_seeing_the_conflict_is_a_deliberate_overwrite(login, personas, project):
    opened = form_data(project, total_investment="90000")
    services.project_update(
        project_id=project.pk, version=1, user=personas.admin, total_investment=Decimal("88000")
    )
    client = login(personas.officer_a)
    conflict = client.post(reverse("projects:edit", args=[project.pk]), opened)
    assert conflict.context["form"]["version"].value() == 2

    client.post(reverse("projects:edit", args=[project.pk]), {**opened, "version": 2})

    project.refresh_from_db()
    assert project.total_investment == Decimal("90000")
    assert project.version == 3


def test_an_edit_cannot_take_away_what_the_stage_stands_on(login, personas, project):
    response = login(personas.officer_a).post(
        reverse("projects:edit", args=[project.pk]), form_data(project, started_on="")
    )

    assert errors_of(response, "started_on") == ["升为绿色需先填写实际开工日期。"]
    project.refresh_from_db()
    assert project.started_on == datetime.date(2024, 6, 1)
    assert project.version == 1


def test_an_edit_with_dates_out_of_order_changes_nothing(login, personas, project):
    response = login(personas.officer_a).post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, name="改名", started_on="2024-01-01"),
    )

    assert errors_of(response, "started_on") == ["开工日期不能早于签约日期。"]
    project.refresh_from_db()
    assert project.name == "智能铜电解项目"


def test_an_edit_without_its_version_is_refused(login, personas, project):
    data = form_data(project, name="改名")
    del data["version"]

    response = login(personas.officer_a).post(reverse("projects:edit", args=[project.pk]), data)

    assert errors_of(response, "version")
    project.refresh_from_db()
    assert project.name == "智能铜电解项目"


# --- Transition ------------------------------------------------------------------------------


def move(client, project, **data):
    data.setdefault("version", Project.objects.get(pk=project.pk).version)
    return client.post(reverse("projects:transition", args=[project.pk]), data)


def test_the_transition_form_proposes_the_target_and_shows_its_requirements(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    response = login(personas.officer_a).get(
        reverse("projects:transition", args=[project.pk]), {"to": "blue"}
    )

    assert response.context["selected"] == "blue"
    blue = next(t for t in response.context["targets"] if t["stage"] == Stage.BLUE)
    assert [(str(r["message"]), r["met"]) for r in blue["requirements"]] == [
        ("升为橙色需先记录合作意向。", True),
        ("升为蓝色需先填写签约日期。", False),
        ("升为蓝色需先填写签约投资（万元）。", False),
    ]
    assert not blue["needs_reason"]
    html = response.content.decode()
    assert 'value="blue" checked' in html
    assert "已具备" in html
    assert [t["stage"] for t in response.context["targets"]] == [
        Stage.RED,
        Stage.BLUE,
        Stage.GREEN,
        Stage.OPERATING,
        Stage.DROPPED,
    ]


def test_red_to_orange_records_the_intent(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = move(login(personas.officer_a), project, to="orange", intent_note="有意向")

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.stage, project.intent_note) == (Stage.ORANGE, "有意向")
    last = project.stage_changes.last()
    assert (last.from_stage, last.to_stage, last.changed_by) == (
        Stage.RED,
        Stage.ORANGE,
        personas.officer_a,
    )


def test_a_move_whose_requirement_is_missing_is_refused(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = move(login(personas.officer_a), project, to="orange")

    assert errors_of(response, "intent_note") == ["升为橙色需先记录合作意向。"]
    project.refresh_from_db()
    assert project.stage == Stage.RED
    assert project.stage_changes.count() == 1


def test_orange_to_blue_records_the_signing_date(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    move(
        login(personas.officer_a),
        project,
        to="blue",
        signed_on="2025-06-20",
        contracted_investment="6000",
    )

    project.refresh_from_db()
    assert (project.stage, project.signed_on, project.contracted_investment) == (
        Stage.BLUE,
        datetime.date(2025, 6, 20),
        Decimal("6000"),
    )


def test_a_start_date_before_the_signing_is_refused_on_the_date_field(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.BLUE)

    response = move(login(personas.officer_a), project, to="green", started_on="2024-01-01")

    assert errors_of(response, "started_on") == ["开工日期不能早于签约日期。"]
    project.refresh_from_db()
    assert (project.stage, project.started_on) == (Stage.BLUE, None)


def test_an_unknown_stage_is_refused_on_the_transition_form(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.RED)

    response = move(login(personas.officer_a), project, to="purple")

    (message,) = errors_of(response, "to")
    assert "purple 不在可用的选项中" in message
    project.refresh_from_db()
    assert project.stage == Stage.RED


def test_a_move_the_card_does_not_allow_is_refused(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.BLUE)

    response = move(login(personas.officer_a), project, to="red", reason="想退回")

    assert errors_of(response, "to")
    project.refresh_from_db()
    assert project.stage == Stage.BLUE


def test_a_downgrade_needs_a_reason(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)
    client = login(personas.officer_a)

    refused = move(client, project, to="red")
    assert errors_of(refused, "reason") == ["降级须填写原因。"]
    project.refresh_from_db()
    assert project.stage == Stage.ORANGE

    move(client, project, to="red", reason="企业投资意向减弱")
    project.refresh_from_db()
    assert project.stage == Stage.RED
    assert project.stage_changes.last().reason == "企业投资意向减弱"


def test_a_stale_move_is_a_conflict(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)
    services.project_update(project_id=project.pk, version=1, user=None, name="改名")

    response = move(
        login(personas.officer_a), project, to="blue", signed_on="2025-06-20", version=1
    )

    assert response.status_code == 200
    assert "该项目已被他人修改" in response.content.decode()
    assert response.context["form"]["version"].value() == 2
    project.refresh_from_db()
    assert project.stage == Stage.ORANGE


def test_a_dropped_project_can_be_taken_up_again_with_a_reason(login, personas):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.DROPPED)

    response = login(personas.officer_a).get(reverse("projects:transition", args=[project.pk]))
    assert response.context["selected"] == ""
    assert [t["stage"] for t in response.context["targets"]] == [Stage.RED]

    move(login(personas.officer_a), project, to="red", reason="企业重新洽谈")
    project.refresh_from_db()
    assert project.stage == Stage.RED
