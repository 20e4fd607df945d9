"""The project pages: the ledger list, the color board and a project's page."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from projects import services, views
from projects.models import Instruction, Project, StageChange
from projects.stages import Stage
from tests import factories

TODAY = datetime.date(2025, 7, 15)


@pytest.fixture(autouse=True)
def frozen_today():
    # Mid-July 2025: last month is June, a problem due 1 July is overdue.
    moment = datetime.datetime(2025, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def listed(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


# --- List ------------------------------------------------------------------------------------


@pytest.fixture
def ledger(personas):
    """Five projects that differ in one respect each, so that every filter picks some."""
    chain_a = factories.ChainFactory(name="新能源和新能源电池")
    chain_b = factories.ChainFactory(name="资源综合利用")
    link = factories.ChainLinkFactory(chain=chain_a, name="正极材料")
    park = factories.PlaceFactory(name="金昌经济技术开发区")
    county = factories.PlaceFactory(name="永昌县")
    leader = personas.leader
    battery = factories.ProjectFactory(
        name="磷酸铁锂电池项目",
        investor=factories.EnterpriseFactory(name="金车储能科技有限公司"),
        total_investment=Decimal("150000"),
        stage=Stage.GREEN,
        chain=chain_a,
        chain_link=link,
        place=park,
        unit=personas.unit_a,
        leader=leader,
    )
    battery.team.add(personas.officer_a)
    recycling = factories.ProjectFactory(
        name="废铅酸蓄电池处理项目",
        investor=factories.EnterpriseFactory(name="甘肃拓拓环保科技有限公司"),
        total_investment=Decimal("30000"),
        stage=Stage.ORANGE,
        chain=chain_b,
        place=county,
        unit=personas.unit_b,
    )
    small = factories.ProjectFactory(
        name="小型配套项目",
        total_investment=Decimal("3000"),
        stage=Stage.RED,
        chain=chain_b,
        place=county,
        unit=personas.unit_a,
    )
    blocked = factories.ProjectFactory(
        name="合成金红石项目",
        total_investment=Decimal("60000"),
        stage=Stage.BLUE,
        chain=chain_b,
        place=park,
        unit=personas.unit_b,
    )
    factories.ProblemFactory(project=blocked, deadline=datetime.date(2025, 7, 1))
    reported = factories.ProjectFactory(
        name="已报进展项目",
        total_investment=Decimal("9000"),
        stage=Stage.RED,
        chain=chain_a,
        place=park,
        unit=personas.unit_a,
        leader=leader,
    )
    reported.team.add(personas.officer_a)
    factories.ProgressFactory(project=reported, month=datetime.date(2025, 6, 1))
    factories.ProgressFactory(project=battery, month=datetime.date(2025, 6, 1))
    return locals()


def test_the_list_shows_each_project_with_its_facts(login, personas, ledger):
    response = login(personas.officer_a).get(reverse("projects:list"))

    assert response.status_code == 200
    html = response.content.decode()
    battery = ledger["battery"]
    assert f'href="{reverse("projects:detail", args=[battery.pk])}"' in html
    assert "金车储能科技有限公司" in html
    assert "15.00亿元" in html
    assert 'class="badge stage-green"' in html
    assert "重点" in html
    assert "正极材料" in html
    # 合成金红石 has no leader and an overdue problem.
    assert "四个一不全" in html
    assert "问题逾期" in html


def test_the_list_is_ordered_by_investment_largest_first(login, personas, ledger):
    response = login(personas.leader).get(reverse("projects:list"))

    assert listed(response) == [
        "磷酸铁锂电池项目",
        "合成金红石项目",
        "废铅酸蓄电池处理项目",
        "已报进展项目",
        "小型配套项目",
    ]


def test_the_totals_row_counts_every_filtered_project_not_just_the_page(login, personas):
    unit = personas.unit_a
    factories.ProjectFactory.create_batch(55, unit=unit, total_investment=Decimal("100"))
    factories.ProjectFactory(total_investment=Decimal("999"))  # another unit: filtered out

    response = login(personas.officer_a).get(reverse("projects:list"), {"unit": unit.pk})

    assert len(listed(response)) == 50
    assert response.context["totals"] == {"count": 55, "total": Decimal("5500")}
    html = response.content.decode()
    assert "合计 55 个项目" in html
    assert "5,500.00万元" in html


def test_the_second_page_keeps_the_filters_in_its_links(login, personas):
    chain = factories.ChainFactory()
    factories.ProjectFactory.create_batch(51, chain=chain)

    client = login(personas.officer_a)
    response = client.get(reverse("projects:list"), {"chain": chain.pk, "stage": ["red", "blue"]})

    html = response.content.decode()
    assert f"?chain={chain.pk}&amp;stage=red&amp;stage=blue&amp;page=2" in html
    second = client.get(reverse("projects:list"), {"chain": chain.pk, "page": 2})
    assert len(listed(second)) == 1


def test_a_page_number_past_the_end_shows_the_last_page(login, personas):
    factories.ProjectFactory.create_batch(3)

    response = login(personas.officer_a).get(reverse("projects:list"), {"page": 99})

    assert response.status_code == 200
    assert len(listed(response)) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": ["red", "orange"]}, {"废铅酸蓄电池处理项目", "小型配套项目", "已报进展项目"}),
        ({"stage": "green"}, {"磷酸铁锂电池项目"}),
        (
            {"is_key": "true"},
            {"磷酸铁锂电池项目", "废铅酸蓄电池处理项目", "合成金红石项目", "已报进展项目"},
        ),
        ({"is_key": "false"}, {"小型配套项目"}),
        ({"overdue": "true"}, {"合成金红石项目"}),
        ({"no_progress": "true"}, {"废铅酸蓄电池处理项目", "小型配套项目", "合成金红石项目"}),
        ({"no_progress": "false"}, {"磷酸铁锂电池项目", "已报进展项目"}),
        ({"flagged": "true"}, {"废铅酸蓄电池处理项目", "合成金红石项目"}),
        ({"search": "金红石"}, {"合成金红石项目"}),
        ({"search": "拓拓环保"}, {"废铅酸蓄电池处理项目"}),
    ],
)
def test_each_filter_picks_its_projects(login, personas, ledger, params, expected):
    response = login(personas.officer_a).get(reverse("projects:list"), params)

    assert set(listed(response)) == expected
    assert response.context["totals"]["count"] == len(expected)


@pytest.mark.parametrize(
    ("param", "value_of", "expected"),
    [
        ("chain", lambda d: d["chain_a"].pk, {"磷酸铁锂电池项目", "已报进展项目"}),
        ("chain_link", lambda d: d["link"].pk, {"磷酸铁锂电池项目"}),
        ("place", lambda d: d["county"].pk, {"废铅酸蓄电池处理项目", "小型配套项目"}),
        (
            "unit",
            lambda d: d["personas"].unit_b.pk,
            {"废铅酸蓄电池处理项目", "合成金红石项目"},
        ),
        ("leader", lambda d: d["leader"].pk, {"磷酸铁锂电池项目", "已报进展项目"}),
    ],
)
def test_each_reference_filter_picks_its_projects(
    login, personas, ledger, param, value_of, expected
):
    response = login(personas.officer_a).get(reverse("projects:list"), {param: value_of(ledger)})

    assert set(listed(response)) == expected


def test_the_list_can_be_sorted_by_name(login, personas, ledger):
    response = login(personas.officer_a).get(reverse("projects:list"), {"ordering": "name"})

    names = listed(response)
    assert names == sorted(names)


def test_a_leaders_my_projects_are_those_they_lead(login, personas, ledger):
    client = login(personas.leader)
    home = client.get(reverse("projects:list")).content.decode()
    assert f'href="{reverse("projects:my_projects")}"' in home

    response = client.get(reverse("projects:list"), {"leader": personas.leader.pk})

    assert set(listed(response)) == {"磷酸铁锂电池项目", "已报进展项目"}


def test_an_unknown_filter_value_is_explained_not_a_server_error(login, personas, ledger):
    response = login(personas.officer_a).get(reverse("projects:list"), {"stage": "purple"})

    assert response.status_code == 200
    assert "purple" in response.content.decode()
    assert "不在可用的选项中" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"signed_year": "0"}, "年度应为1900至2100之间的四位数字"),
        ({"started_year": "10000"}, "年度应为1900至2100之间的四位数字"),
        ({"event": "-5e111"}, "不在可用的选项中"),
    ],
)
@pytest.mark.parametrize("page", ["projects:list", "projects:board"])
def test_an_out_of_range_year_or_event_is_explained_not_a_server_error(
    login, personas, ledger, page, query, message
):
    response = login(personas.officer_a).get(reverse(page), query)

    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_signing_year_and_event_filters_pick_their_projects(login, personas, ledger):
    event = factories.EventFactory(name="第31届兰洽会")
    at_fair = factories.ProjectFactory(
        name="兰洽会签约项目", stage=Stage.BLUE, signed_on=datetime.date(2024, 7, 8), event=event
    )
    client = login(personas.officer_a)

    by_event = client.get(reverse("projects:list"), {"event": event.pk})
    by_year = client.get(reverse("projects:list"), {"signed_year": "2024"})

    assert listed(by_event) == [at_fair.name]
    assert at_fair.name in listed(by_year)


def test_the_export_link_carries_the_filters(login, personas, ledger):
    response = login(personas.officer_a).get(reverse("projects:list"), {"is_key": "true"})

    assert 'href="/ledger/export/projects/?is_key=true"' in response.content.decode()


def test_the_new_project_button_is_offered_to_officers_not_leaders(login, personas):
    new = reverse("projects:create")
    assert new in login(personas.officer_a).get(reverse("projects:list")).content.decode()
    assert new not in login(personas.leader).get(reverse("projects:list")).content.decode()


# --- Board -----------------------------------------------------------------------------------


def test_the_board_counts_and_sums_each_column(login, personas, ledger):
    factories.ProjectFactory(stage=Stage.OPERATING, total_investment=Decimal("20000"))
    factories.ProjectFactory(stage=Stage.DROPPED, total_investment=Decimal("500"))

    response = login(personas.leader).get(reverse("projects:board"))

    assert response.status_code == 200
    columns = {c["stage"]: c for c in response.context["columns"]}
    assert list(columns) == [Stage.RED, Stage.ORANGE, Stage.BLUE, Stage.GREEN]
    assert (columns[Stage.RED]["count"], columns[Stage.RED]["total"]) == (2, Decimal("12000"))
    assert columns[Stage.ORANGE]["count"] == 1
    assert [p.name for p in columns[Stage.GREEN]["cards"]] == ["磷酸铁锂电池项目"]
    ends = {e["stage"]: e for e in response.context["ends"]}
    assert (ends[Stage.OPERATING]["count"], ends[Stage.OPERATING]["total"]) == (
        1,
        Decimal("20000"),
    )
    assert ends[Stage.DROPPED]["count"] == 1
    html = response.content.decode()
    assert "1.20亿元" in html  # the red column's total
    assert "/projects/?stage=operating" in html


def test_the_board_takes_the_list_filters(login, personas, ledger):
    response = login(personas.leader).get(reverse("projects:board"), {"unit": personas.unit_b.pk})

    columns = {c["stage"]: c for c in response.context["columns"]}
    assert columns[Stage.RED]["count"] == 0
    assert [p.name for p in columns[Stage.BLUE]["cards"]] == ["合成金红石项目"]
    # The operating/dropped row links to the list with the same filters.
    assert f"/projects/?unit={personas.unit_b.pk}&amp;stage=operating" in response.content.decode()


def test_only_cards_the_user_may_move_offer_a_move(login, personas, ledger):
    response = login(personas.officer_a).get(reverse("projects:board"))

    html = response.content.decode()
    own = ledger["small"]  # red, unit A
    other = ledger["recycling"]  # orange, unit B
    assert f"{reverse('projects:transition', args=[own.pk])}?to=orange" in html
    assert reverse("projects:transition", args=[other.pk]) not in html


def test_a_full_column_shows_its_largest_cards_and_links_to_the_rest(login, personas, monkeypatch):
    monkeypatch.setattr(views, "BOARD_CARDS_PER_COLUMN", 2)
    for amount in (100, 300, 200):
        factories.ProjectFactory(stage=Stage.ORANGE, total_investment=Decimal(amount))

    response = login(personas.leader).get(reverse("projects:board"))

    orange = response.context["columns"][1]
    assert [p.total_investment for p in orange["cards"]] == [Decimal(300), Decimal(200)]
    assert orange["count"] == 3
    assert "还有 1 个，查看全部 3 个项目" in response.content.decode()


# --- Project page ----------------------------------------------------------------------------


def test_the_project_page_shows_facts_team_and_timeline(login, personas, ledger):
    project = ledger["battery"]
    StageChange.objects.create(
        project=project, from_stage=Stage.GREEN, to_stage=Stage.BLUE, reason="环评退回"
    )

    response = login(personas.leader).get(reverse("projects:detail", args=[project.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "磷酸铁锂电池项目" in html
    assert "金车储能科技有限公司" in html
    assert str(personas.leader) in html
    assert str(personas.officer_a) in html  # the task force
    assert "四个一”不全" not in html
    assert '<li class="downgrade">' in html
    assert "环评退回" in html


def test_a_key_project_missing_its_leader_is_warned(login, personas, ledger):
    project = ledger["blocked"]

    html = login(personas.officer_a).get(reverse("projects:detail", args=[project.pk]))
    html = html.content.decode()

    assert "重点项目“四个一”不全" in html
    assert "包抓市级领导 专班成员" in html


def test_a_small_project_is_not_warned_about_four_one(login, personas, ledger):
    html = login(personas.officer_a).get(reverse("projects:detail", args=[ledger["small"].pk]))

    assert "“四个一”不全" not in html.content.decode()


def test_progress_shows_year_to_date_and_cumulative_sums(login, personas):
    project = factories.ProjectFactory(stage=Stage.GREEN)
    for month, amount in [((2024, 11), 100), ((2024, 12), 200), ((2025, 1), 50), ((2025, 2), 70)]:
        factories.ProgressFactory(
            project=project,
            month=datetime.date(*month, 1),
            investment_completed=Decimal(amount),
            funds_in_place=Decimal(amount) / 2,
        )

    response = login(personas.leader).get(reverse("projects:detail", args=[project.pk]))

    rows = list(response.context["progress"])
    assert [r.month.month for r in rows] == [2, 1, 12, 11]
    february = rows[0]
    assert february.ytd_investment == Decimal("120")
    assert february.cumulative_investment == Decimal("420")
    assert february.ytd_funds == Decimal("60")
    assert rows[2].ytd_investment == Decimal("300")  # December closes 2024
    assert "1.20亿元" not in response.content.decode()
    assert "120.00万元" in response.content.decode()


def test_overdue_problems_are_highlighted_and_instructions_listed(login, personas, ledger):
    project = ledger["blocked"]
    Instruction.objects.create(project=project, leader=personas.leader, text="尽快协调解决用地")

    html = login(personas.officer_b).get(reverse("projects:detail", args=[project.pk]))
    html = html.content.decode()

    assert '<tr class="overdue">' in html
    assert "已逾期" in html
    assert "尽快协调解决用地" in html


def test_the_change_history_says_who_changed_what(login, personas, ledger):
    project = ledger["small"]
    client = login(personas.officer_a)
    client.post(
        reverse("projects:edit", args=[project.pk]),
        form_data(project, total_investment="3500", name="小型配套项目（二期）"),
    )

    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert "修改记录" in html
    assert "项目名称：<del>小型配套项目</del> → 小型配套项目（二期）" in html
    assert "<del>3,000.00万元</del> → 3,500.00万元" in html
    assert str(personas.officer_a) in html


def test_the_owner_sees_the_work_buttons_and_others_do_not(login, personas, ledger):
    project = ledger["small"]
    url = reverse("projects:detail", args=[project.pk])

    own = login(personas.officer_a).get(url).content.decode()
    assert reverse("projects:edit", args=[project.pk]) in own
    assert f"/projects/{project.pk}/progress/add/" in own
    assert f"/projects/{project.pk}/problems/add/" in own
    assert f"/projects/{project.pk}/instructions/add/" not in own

    other = login(personas.officer_b).get(url).content.decode()
    assert reverse("projects:edit", args=[project.pk]) not in other

    leader = login(personas.leader).get(url).content.decode()
    assert f"/projects/{project.pk}/instructions/add/" in leader
    assert reverse("projects:transition", args=[project.pk]) not in leader


def test_an_illustrative_project_carries_the_demo_badge(login, personas):
    project = factories.ProjectFactory(is_illustrative=True)

    html = login(personas.leader).get(reverse("projects:detail", args=[project.pk]))

    assert "示例数据" in html.content.decode()


def test_a_missing_project_is_a_404(login, personas):
    response = login(personas.leader).get(reverse("projects:detail", args=[999999]))

    assert response.status_code == 404


def form_data(project: Project, **changes) -> dict:
    """The edit form as the page would post it, with `changes` applied."""
    data = {
        "code": project.code,
        "name": project.name,
        "investor": project.investor_id,
        "co_investors": [e.pk for e in project.co_investors.all()],
        "total_investment": str(project.total_investment),
        "contracted_investment": "",
        "chain": project.chain_id or "",
        "chain_link": project.chain_link_id or "",
        "place": project.place_id,
        "construction_content": project.construction_content,
        "lead_source": project.lead_source,
        "event": project.event_id or "",
        "intent_note": project.intent_note,
        "first_contact_on": "",
        "signed_on": project.signed_on.isoformat() if project.signed_on else "",
        "started_on": project.started_on.isoformat() if project.started_on else "",
        "expected_completion_on": "",
        "operating_on": project.operating_on.isoformat() if project.operating_on else "",
        "unit": project.unit_id,
        "leader": project.leader_id or "",
        "team": [u.pk for u in project.team.all()],
        "manager": project.manager_id or "",
        "version": project.version,
    }
    data.update(changes)
    return data


def test_an_edit_through_the_service_is_listed_with_the_system_as_author(personas, ledger):
    project = ledger["small"]
    services.project_update(project_id=project.pk, version=project.version, user=None, name="改名")

    entries = views.change_history(Project.objects.get(pk=project.pk))

    assert entries[0]["changes"][0]["new"] == "改名"
    assert entries[-1]["created"]
