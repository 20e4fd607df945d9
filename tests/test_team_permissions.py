"""The "四个一" team files a project's progress and raises its problems: the unit's officers,
the task force (专班, possibly from other units) and the project manager (项目管家). One rule
(`roles.can_work_on_project`) answers for the pages, the API, the services and the Excel import;
each persona × action is tried on every path, and a refusal is shown to change nothing.
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ledger.models import ImportJob
from org import roles
from projects import services
from projects.models import MonthlyProgress, Problem
from tests import factories
from tests.ledger_files import PROGRESS_HEADERS, import_file, xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db

# Persona → may file progress and raise problems on unit A's project.
MAY_FILE = {
    "officer_a": True,  # an officer of the project's unit
    "officer_b": False,  # an officer of another unit, not on the team
    "team_member": True,  # a 专班 member from another unit
    "manager": True,  # the project's 项目管家
    "leader": False,  # the leader who 包抓 it reads and instructs
    "admin": True,
    "anonymous": False,
}


@pytest.fixture(autouse=True)
def mid_june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def team(personas):
    unit_c = factories.UnitFactory(name="丙单位", short_name="丙单位")
    member = factories.OfficerFactory(username="team_member", unit=personas.unit_b)
    manager = factories.OfficerFactory(username="manager", unit=unit_c)
    project = factories.ProjectFactory(
        code="JC-T1",
        name="四个一项目",
        unit=personas.unit_a,
        leader=personas.leader,
        manager=manager,
    )
    project.team.add(member)
    people = {name: getattr(personas, name, None) for name in MAY_FILE}
    people.update(team_member=member, manager=manager)
    return SimpleNamespace(project=project, people=people, unit_b=personas.unit_b)


def client_as(client, team, who):
    if who != "anonymous":
        client.force_login(team.people[who])
    return client


def assert_page_answer(response, who):
    if MAY_FILE[who]:
        assert response.status_code == 302, response.content.decode()[:800]
    elif who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", list(MAY_FILE))
def test_the_rule_names_the_whole_team(team, who):
    user = team.people[who]
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    assert roles.can_work_on_project(user, team.project) is MAY_FILE[who]


@pytest.mark.parametrize("who", list(MAY_FILE))
def test_filing_progress_on_the_page(client, team, who):
    url = reverse("projects:progress_add", args=[team.project.pk])
    data = {"month": "2025-06", "investment_completed": "10", "funds_in_place": "5"}

    response = client_as(client, team, who).post(url, data)

    filed = MonthlyProgress.objects.filter(project=team.project).count()
    assert_page_answer(response, who)
    assert filed == (1 if MAY_FILE[who] else 0)


@pytest.mark.parametrize("who", list(MAY_FILE))
def test_raising_a_problem_on_the_page(client, team, who):
    url = reverse("projects:problem_add", args=[team.project.pk])
    data = {
        "category": "land",
        "description": "用地指标待落实",
        "unit": team.project.unit_id,
        "deadline": "2025-07-01",
    }

    response = client_as(client, team, who).post(url, data)

    raised = Problem.objects.filter(project=team.project).count()
    assert_page_answer(response, who)
    assert raised == (1 if MAY_FILE[who] else 0)


@pytest.mark.parametrize("who", list(MAY_FILE))
def test_filing_progress_through_the_api(client, team, who):
    body = {
        "project": team.project.pk,
        "month": "2025-06",
        "investment_completed": "10",
        "funds_in_place": "5",
    }

    response = client_as(client, team, who).post(
        "/api/v1/progress/", body, content_type="application/json"
    )

    if MAY_FILE[who]:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code in (401, 403)
    assert MonthlyProgress.objects.count() == (1 if MAY_FILE[who] else 0)


@pytest.mark.parametrize("who", list(MAY_FILE))
def test_raising_a_problem_through_the_api(client, team, who):
    body = {
        "project": team.project.pk,
        "category": "land",
        "description": "用地指标待落实",
        "unit": team.project.unit_id,
        "deadline": "2025-07-01",
    }

    response = client_as(client, team, who).post(
        "/api/v1/problems/", body, content_type="application/json"
    )

    if MAY_FILE[who]:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code in (401, 403)
    assert Problem.objects.count() == (1 if MAY_FILE[who] else 0)


@pytest.mark.parametrize("who", ["team_member", "manager", "officer_b"])
def test_the_team_imports_progress_from_excel(team, who):
    row = {
        "项目编号": "JC-T1",
        "项目名称": "四个一项目",
        "月份": "2025年6月",
        "本月完成投资（万元）": 1200,
        "本月到位资金（万元）": "800",
        "本月进展": "主体厂房封顶",
        "下步计划": "设备安装",
    }

    job = import_file(xlsx([row], PROGRESS_HEADERS), team.people[who], "progress")

    if MAY_FILE[who]:
        assert job.status == ImportJob.Status.DONE, job.preview
        assert MonthlyProgress.objects.get().filed_by == team.people[who]
    else:
        assert job.status != ImportJob.Status.DONE
        assert not MonthlyProgress.objects.exists()


def test_a_team_member_may_not_edit_or_move_the_project(team):
    member = team.people["team_member"]
    assert not roles.can_edit_project(member, team.project)
    with pytest.raises(PermissionDenied):
        services.project_transition(
            project_id=team.project.pk, to="orange", user=member, intent_note="意向强"
        )


def test_a_refused_officer_is_told_whose_project_it_is(client, team):
    client.force_login(team.people["officer_b"])

    response = client.get(reverse("projects:progress_add", args=[team.project.pk]))

    assert response.status_code == 403
    assert "此项目属于甲单位，您只能查看" in response.content.decode()


def test_the_project_page_offers_the_team_member_to_file(client, team):
    client.force_login(team.people["team_member"])

    page = client.get(reverse("projects:detail", args=[team.project.pk])).content.decode()

    assert reverse("projects:progress_add", args=[team.project.pk]) in page
    assert reverse("projects:edit", args=[team.project.pk]) not in page


def test_my_work_lists_the_team_projects_missing_progress(client, team):
    client.force_login(team.people["team_member"])

    response = client.get(reverse("projects:my_work"))

    assert team.project in response.context["missing"]
    assert reverse("projects:progress_add", args=[team.project.pk]) in response.content.decode()


def test_a_team_member_refused_the_edit_page_is_told_what_she_may_do(client, team):
    client.force_login(team.people["team_member"])

    response = client.get(reverse("projects:edit", args=[team.project.pk]))

    assert response.status_code == 403
    assert "可以填报进展" in response.content.decode()
