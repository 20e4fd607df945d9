"""/api/v1/projects/: list, filters, create, partial update with its version, the color card
and its history, for every persona."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api import views as api_views
from api import views_reference, views_reports
from api.auth import token_issue
from api.exceptions import api_exception_handler
from projects.models import Project, StageChange
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def detail(project):
    return f"/api/v1/projects/{project.pk}/"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def place():
    return factories.PlaceFactory(name="金昌经济技术开发区")


@pytest.fixture
def investor():
    return factories.EnterpriseFactory(name="甘肃拓拓环保科技有限公司")


def new_project_body(personas, place, investor, **overrides):
    body = {
        "code": "JC-API-001",
        "name": "年产11万吨废铅酸蓄电池处理",
        "investor": investor.pk,
        "total_investment": "12000.00",
        "place": place.pk,
        "unit": personas.unit_a.pk,
    }
    body.update(overrides)
    return body


# --- List ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_lists_every_project(personas, login, who):
    factories.ProjectFactory(unit=personas.unit_a)
    factories.ProjectFactory(unit=personas.unit_b)

    response = login(getattr(personas, who)).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_anonymous_gets_401_and_no_projects(personas, client):
    factories.ProjectFactory(name="不可见的项目")

    response = client.get(LIST)

    assert response.status_code == 401
    assert "不可见的项目" not in response.content.decode()
    assert "results" not in response.json()


def test_a_user_without_a_role_gets_403(personas, client):
    factories.ProjectFactory(name="不可见的项目")
    client.force_login(factories.UserFactory(username="nobody"))

    response = client.get(LIST)

    assert response.status_code == 403
    assert "不可见的项目" not in response.content.decode()


def test_a_project_carries_the_contract_fields(personas, login):
    leader = personas.leader
    member = factories.OfficerFactory(unit=personas.unit_a)
    project = factories.ProjectFactory(
        unit=personas.unit_a,
        stage=Stage.GREEN,
        total_investment=Decimal("12000.50"),
        contracted_investment=Decimal("10000"),
        leader=leader,
    )
    project.team.add(member)

    row = login(personas.leader).get(LIST).json()["results"][0]

    assert row["id"] == project.pk
    assert row["code"] == project.code
    assert row["investor"] == project.investor_id
    assert row["investor_name"] == project.investor.name
    assert row["total_investment"] == "12000.50"
    assert row["contracted_investment"] == "10000.00"
    assert row["stage"] == "green"
    assert row["is_key"] is True
    assert row["chain"] == project.chain_id
    assert row["chain_link"] is None
    assert row["place"] == project.place_id
    assert row["unit"] == personas.unit_a.pk
    assert row["leader"] == leader.pk
    assert row["team"] == [member.pk]
    assert row["manager"] is None
    assert row["signed_on"] == "2024-03-01"
    assert row["started_on"] == "2024-06-01"
    assert row["operating_on"] is None
    assert row["flags"] == []
    assert row["version"] == 1


def test_flags_name_the_warnings(personas, login):
    # A key project without a leader or team misses its "四个一"; a red staleness flag too.
    factories.ProjectFactory(unit=personas.unit_a, staleness="red")

    row = login(personas.leader).get(LIST).json()["results"][0]

    assert row["flags"] == ["stale_red", "four_one_missing"]


def test_it_filters_like_the_list_page(personas, login):
    chain = factories.ChainFactory(name="新能源和新能源电池")
    green = factories.ProjectFactory(
        unit=personas.unit_a, stage=Stage.GREEN, chain=chain, name="磷酸铁锂电池"
    )
    factories.ProjectFactory(unit=personas.unit_b, stage=Stage.RED, total_investment=3000)
    flagged = factories.ProjectFactory(unit=personas.unit_b, staleness="yellow")
    client = login(personas.officer_a)

    def ids(query):
        response = client.get(LIST + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("?stage=green") == {green.pk}
    assert ids(f"?chain={chain.pk}") == {green.pk}
    assert ids(f"?unit={personas.unit_a.pk}") == {green.pk}
    assert ids("?is_key=false") == {p.pk for p in Project.objects.filter(total_investment=3000)}
    assert flagged.pk in ids("?flagged=true")
    assert ids("?search=磷酸铁锂") == {green.pk}


@pytest.mark.parametrize(
    "query", ["signed_year=0", "started_year=10000", "ordering=secret", "event=-5e111"]
)
def test_out_of_range_filters_get_400_not_500(personas, login, query):
    factories.ProjectFactory(stage=Stage.GREEN)
    client = login(personas.leader)

    for path in (LIST, LIST + "export/"):
        response = client.get(f"{path}?{query}")

        assert response.status_code == 400, path
        assert query.split("=")[0] in response.json(), path


def test_it_orders_by_total_investment(personas, login):
    small = factories.ProjectFactory(total_investment=Decimal("100"))
    big = factories.ProjectFactory(total_investment=Decimal("90000"))

    rows = login(personas.leader).get(LIST + "?ordering=total_investment").json()["results"]

    assert [r["id"] for r in rows] == [small.pk, big.pk]


def test_bad_filters_get_400_with_the_field(personas, login):
    response = login(personas.leader).get(LIST + "?stage=purple&chain=abc")

    assert response.status_code == 400
    assert set(response.json()) == {"stage", "chain"}


def test_it_paginates_with_count_next_and_previous(personas, login):
    factories.ProjectFactory.create_batch(7)

    page = login(personas.leader).get(LIST + "?page_size=5&page=2").json()

    assert page["count"] == 7
    assert page["next"] is None
    assert page["previous"].endswith("page_size=5")
    assert len(page["results"]) == 2


@pytest.mark.parametrize("size", [5, 50])
def test_the_list_runs_the_same_queries_whatever_the_page_size(
    personas, client, django_assert_num_queries, size
):
    for _ in range(size):
        project = factories.ProjectFactory(leader=personas.leader)
        project.team.add(personas.officer_a, personas.officer_b)
    _issued, token = token_issue(personas.leader)

    # 1 token and user, 2 the user's roles, 3 count, 4 the page's ids (ranked), 5 its rows with
    # their related rows and flags, 6 the teams and 7 the co-investors of the page's projects.
    with django_assert_num_queries(7):
        response = client.get(LIST + f"?page_size={size}", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == size


# --- Retrieve -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_reads_a_project(personas, login, who):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = login(getattr(personas, who)).get(detail(project))

    assert response.status_code == 200
    assert response.json()["name"] == project.name


def test_a_missing_project_is_404(personas, login):
    assert login(personas.admin).get("/api/v1/projects/999999/").status_code == 404


# --- Create -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "admin"])
def test_officers_of_the_unit_and_admins_create_projects(personas, login, place, investor, who):
    response = post(
        login(getattr(personas, who)), LIST, new_project_body(personas, place, investor)
    )

    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(code="JC-API-001")
    assert body["id"] == project.pk
    assert body["stage"] == "red"
    assert body["total_investment"] == "12000.00"
    assert body["is_key"] is True
    assert project.created_by == getattr(personas, who)
    assert StageChange.objects.filter(project=project, from_stage="", to_stage="red").exists()


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_others_may_not_create_unit_a_projects(personas, login, place, investor, who):
    response = post(
        login(getattr(personas, who)), LIST, new_project_body(personas, place, investor)
    )

    assert response.status_code == 403
    assert not Project.objects.exists()


def test_anonymous_may_not_create(personas, client, place, investor):
    response = post(client, LIST, new_project_body(personas, place, investor))

    assert response.status_code == 401
    assert not Project.objects.exists()


def test_bad_input_gets_400_with_field_errors(personas, login, place, investor):
    body = new_project_body(personas, place, investor)
    body.update(total_investment="-5", investor=999999, signed_on="2024-13-01")
    del body["name"]

    response = post(login(personas.officer_a), LIST, body)

    assert response.status_code == 400
    assert {"name", "investor", "total_investment", "signed_on"} <= set(response.json())
    assert not Project.objects.exists()


def test_an_amount_in_yuan_instead_of_wan_is_refused(personas, login, place, investor):
    body = new_project_body(personas, place, investor, total_investment="60000000")

    response = post(login(personas.officer_a), LIST, body)

    assert response.status_code == 400
    assert "万元" in response.json()["total_investment"][0]


def test_control_characters_in_a_text_get_400(personas, login, place, investor):
    body = new_project_body(personas, place, investor, name="项目\x01名称")

    response = post(login(personas.officer_a), LIST, body)

    assert response.status_code == 400
    assert "控制字符" in response.json()["name"][0]
    assert not Project.objects.exists()


def test_a_starting_stage_must_meet_its_requirements(personas, login, place, investor):
    body = new_project_body(personas, place, investor, stage="blue")

    response = post(login(personas.officer_a), LIST, body)

    assert response.status_code == 400
    assert "签约日期" in " ".join(response.json()["stage"])


def test_a_new_project_cannot_start_dropped(personas, login, place, investor):
    body = new_project_body(personas, place, investor, stage="dropped")

    response = post(login(personas.officer_a), LIST, body)

    assert response.status_code == 400
    assert "stage" in response.json()


def test_a_duplicate_code_gets_400(personas, login, place, investor):
    factories.ProjectFactory(code="JC-API-001")

    response = post(login(personas.admin), LIST, new_project_body(personas, place, investor))

    assert response.status_code == 400
    assert "code" in response.json()


def test_a_link_of_another_chain_is_refused(personas, login, place, investor):
    chain = factories.ChainFactory()
    other_link = factories.ChainLinkFactory()
    body = new_project_body(personas, place, investor, chain=chain.pk, chain_link=other_link.pk)

    response = post(login(personas.officer_a), LIST, body)

    assert response.status_code == 400
    assert "chain_link" in response.json()


def test_a_malformed_body_gets_400(personas, login):
    response = login(personas.officer_a).post(LIST, "{not json", content_type="application/json")

    assert response.status_code == 400


# --- Partial update -----------------------------------------------------------------------


def test_an_officer_edits_a_project_of_the_unit(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = patch(
        login(personas.officer_a),
        detail(project),
        {"version": 1, "name": "改名后的项目", "team": [personas.officer_a.pk]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "改名后的项目"
    assert response.json()["version"] == 2
    assert response.json()["team"] == [personas.officer_a.pk]
    project.refresh_from_db()
    assert project.name == "改名后的项目"


def test_co_investors_are_set_by_an_edit_and_kept_by_one_that_leaves_them_out(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)
    partner = factories.EnterpriseFactory()
    client = login(personas.officer_a)

    first = patch(client, detail(project), {"version": 1, "co_investors": [partner.pk]})
    second = patch(client, detail(project), {"version": 2, "name": "改名"})

    assert first.status_code == 200, first.content
    assert second.json()["co_investors"] == [partner.pk]
    assert list(project.co_investors.all()) == [partner]


def test_an_admin_edits_any_project(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_b)

    response = patch(login(personas.admin), detail(project), {"version": 1, "name": "改名"})

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_others_may_not_edit(personas, login, who):
    project = factories.ProjectFactory(unit=personas.unit_a, name="原名")

    response = patch(login(getattr(personas, who)), detail(project), {"version": 1, "name": "x"})

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "原名"


def test_anonymous_may_not_edit(personas, client):
    project = factories.ProjectFactory(name="原名")

    response = patch(client, detail(project), {"version": 1, "name": "x"})

    assert response.status_code == 401
    assert "原名" not in response.content.decode()


def test_a_stale_version_gets_409_and_changes_nothing(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a, name="原名")
    Project.objects.filter(pk=project.pk).update(version=3)

    response = patch(login(personas.officer_a), detail(project), {"version": 2, "name": "新名"})

    assert response.status_code == 409
    assert response.json()["version"] == 3
    project.refresh_from_db()
    assert (project.name, project.version) == ("原名", 3)


def test_every_api_view_answers_errors_through_the_one_handler_set_in_settings():
    views = [
        obj
        for module in (api_views, views_reference, views_reports)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, APIView) and obj.__module__ == module.__name__
    ]

    assert api_settings.EXCEPTION_HANDLER is api_exception_handler
    assert views
    assert all(v.get_exception_handler is APIView.get_exception_handler for v in views)


def test_an_edit_without_a_version_gets_400(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = patch(login(personas.officer_a), detail(project), {"name": "新名"})

    assert response.status_code == 400
    assert "version" in response.json()


def test_the_stage_is_not_edited_directly(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = patch(login(personas.officer_a), detail(project), {"version": 1, "stage": "green"})

    assert response.status_code == 400
    assert "transition" in response.json()["stage"][0]
    project.refresh_from_db()
    assert project.stage == Stage.RED


def test_an_officer_may_not_hand_a_project_to_another_unit(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = patch(
        login(personas.officer_a), detail(project), {"version": 1, "unit": personas.unit_b.pk}
    )

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.unit == personas.unit_a


def test_an_edit_may_not_remove_what_the_stage_stands_on(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)

    response = patch(login(personas.officer_a), detail(project), {"version": 1, "started_on": None})

    assert response.status_code == 400
    assert "started_on" in response.json()


def test_put_and_delete_are_not_offered(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)
    client = login(personas.admin)

    assert client.put(detail(project), {}, content_type="application/json").status_code == 405
    assert client.delete(detail(project)).status_code == 405
    assert Project.objects.filter(pk=project.pk).exists()


# --- Transition ---------------------------------------------------------------------------


def transition(project):
    return reverse("api:project-transition", args=[project.pk])


@time_machine.travel(datetime.datetime(2025, 7, 15, 10, 0), tick=False)
@pytest.mark.parametrize("who", ["officer_a", "admin"])
def test_a_project_moves_up_with_its_date(personas, login, who):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    response = post(
        login(getattr(personas, who)),
        transition(project),
        {
            "to": "blue",
            "date": "2025-07-01",
            "contracted_investment": "6000",
            "reason": "已签订投资协议",
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "blue"
    assert response.json()["signed_on"] == "2025-07-01"
    change = StageChange.objects.get(project=project, to_stage=Stage.BLUE)
    assert change.changed_by == getattr(personas, who)


def test_a_move_missing_its_requirement_names_it(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.BLUE)

    response = post(login(personas.officer_a), transition(project), {"to": "green"})

    assert response.status_code == 400
    assert "开工日期" in " ".join(response.json()["started_on"])
    project.refresh_from_db()
    assert project.stage == Stage.BLUE


def test_a_downgrade_needs_a_reason(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    response = post(login(personas.officer_a), transition(project), {"to": "red"})

    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_move_the_card_does_not_have_is_refused(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.GREEN)

    response = post(login(personas.officer_a), transition(project), {"to": "blue", "reason": "x"})

    assert response.status_code == 400
    assert "to" in response.json()


def test_an_unknown_stage_is_refused(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a)

    response = post(login(personas.officer_a), transition(project), {"to": "purple"})

    assert response.status_code == 400
    assert "to" in response.json()


def test_a_move_read_at_an_old_version_gets_409(personas, login):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)
    Project.objects.filter(pk=project.pk).update(version=2)

    response = post(
        login(personas.officer_a), transition(project), {"to": "red", "reason": "x", "version": 1}
    )

    assert response.status_code == 409
    project.refresh_from_db()
    assert project.stage == Stage.ORANGE


@pytest.mark.parametrize("who", ["officer_b", "leader"])
def test_others_may_not_move_the_card(personas, login, who):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)

    response = post(
        login(getattr(personas, who)), transition(project), {"to": "red", "reason": "意向减弱"}
    )

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.stage == Stage.ORANGE


def test_anonymous_may_not_move_the_card(personas, client):
    project = factories.ProjectFactory(stage=Stage.ORANGE)

    response = post(client, transition(project), {"to": "red", "reason": "x"})

    assert response.status_code == 401
    project.refresh_from_db()
    assert project.stage == Stage.ORANGE


# --- History ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_role_reads_the_stage_history(personas, login, who):
    project = factories.ProjectFactory(unit=personas.unit_a, stage=Stage.ORANGE)
    post(login(personas.admin), transition(project), {"to": "red", "reason": "意向减弱"})

    response = login(getattr(personas, who)).get(reverse("api:project-history", args=[project.pk]))

    assert response.status_code == 200
    changes = response.json()
    assert [(c["from_stage"], c["to_stage"]) for c in changes] == [
        ("", "orange"),
        ("orange", "red"),
    ]
    assert changes[1]["kind"] == "downgrade"
    assert changes[1]["reason"] == "意向减弱"
    assert changes[1]["changed_by"] == personas.admin.pk


def test_anonymous_may_not_read_the_history(personas, client):
    project = factories.ProjectFactory()

    response = client.get(reverse("api:project-history", args=[project.pk]))

    assert response.status_code == 401
    assert "新建项目" not in response.content.decode()
