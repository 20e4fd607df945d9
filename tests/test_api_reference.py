"""Enterprises, events, chains with their links, the target and opportunity lists and the
annual targets over the API; and every list's query budget at two page sizes."""

import datetime
from decimal import Decimal

import pytest

from api.auth import token_issue
from chains.models import TargetEnterprise
from dashboard.models import AnnualTarget
from dispatch.models import Report
from projects.models import Enterprise, EnterpriseContact, Instruction
from tests import factories

pytestmark = pytest.mark.django_db

ENTERPRISES = "/api/v1/enterprises/"
ROLES = ["officer_a", "officer_b", "leader", "admin"]


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- Enterprises --------------------------------------------------------------------------


@pytest.fixture
def investor():
    enterprise = factories.EnterpriseFactory(name="金川集团股份有限公司", is_chain_owner=True)
    EnterpriseContact.objects.create(enterprise=enterprise, name="联系人甲", phone="0935-0000000")
    factories.ProjectFactory(investor=enterprise)
    return enterprise


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "admin"])
def test_officers_and_admins_see_enterprise_contacts(personas, login, investor, who):
    row = login(getattr(personas, who)).get(ENTERPRISES).json()["results"][0]

    assert row["name"] == "金川集团股份有限公司"
    assert row["project_count"] == 1
    assert row["contacts"] == [
        {"id": investor.contacts.get().pk, "name": "联系人甲", "title": "", "phone": "0935-0000000"}
    ]


def test_leaders_do_not_see_enterprise_contacts(personas, login, investor):
    client = login(personas.leader)

    row = client.get(ENTERPRISES).json()["results"][0]
    one = client.get(f"{ENTERPRISES}{investor.pk}/")

    assert "contacts" not in row
    assert "联系人甲" not in one.content.decode()
    assert one.json()["is_chain_owner"] is True


def test_enterprises_are_searched(personas, login, investor):
    factories.EnterpriseFactory(name="甘肃佰利联化学有限公司")

    rows = login(personas.leader).get(ENTERPRISES + "?search=佰利联").json()["results"]

    assert [r["name"] for r in rows] == ["甘肃佰利联化学有限公司"]


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "admin"])
def test_officers_and_admins_register_an_enterprise(personas, login, who):
    response = post(
        login(getattr(personas, who)),
        ENTERPRISES,
        {"name": "甘肃德通国钛金属有限公司", "origin": "河南", "contacts": [{"name": "联系人乙"}]},
    )

    assert response.status_code == 201, response.content
    enterprise = Enterprise.objects.get(name="甘肃德通国钛金属有限公司")
    assert [c.name for c in enterprise.contacts.all()] == ["联系人乙"]
    assert response.json()["contacts"][0]["name"] == "联系人乙"


def test_a_leader_may_not_register_an_enterprise(personas, login):
    response = post(login(personas.leader), ENTERPRISES, {"name": "某企业"})

    assert response.status_code == 403
    assert not Enterprise.objects.filter(name="某企业").exists()


def test_a_duplicate_enterprise_name_gets_400(personas, login, investor):
    response = post(login(personas.officer_a), ENTERPRISES, {"name": "金川集团股份有限公司"})

    assert response.status_code == 400
    assert "name" in response.json()


def test_a_bad_credit_code_gets_400(personas, login):
    response = post(
        login(personas.officer_a), ENTERPRISES, {"name": "某企业", "credit_code": "123"}
    )

    assert response.status_code == 400
    assert "credit_code" in response.json()


def test_an_officer_edits_an_enterprise_and_replaces_its_contacts(personas, login, investor):
    response = patch(
        login(personas.officer_b),
        f"{ENTERPRISES}{investor.pk}/",
        {"origin": "甘肃", "contacts": [{"name": "联系人丙", "phone": "13900000000"}]},
    )

    assert response.status_code == 200, response.content
    investor.refresh_from_db()
    assert investor.origin == "甘肃"
    assert [c.name for c in investor.contacts.all()] == ["联系人丙"]


def test_an_enterprise_edit_on_a_stale_version_gets_409_and_changes_nothing(
    personas, login, investor
):
    url = f"{ENTERPRISES}{investor.pk}/"
    first = patch(login(personas.officer_a), url, {"origin": "湖南", "version": 1})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2

    stale = patch(login(personas.officer_b), url, {"origin": "浙江", "version": 1})

    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    investor.refresh_from_db()
    assert investor.origin == "湖南"


def test_a_leader_may_not_edit_an_enterprise(personas, login, investor):
    response = patch(login(personas.leader), f"{ENTERPRISES}{investor.pk}/", {"origin": "x"})

    assert response.status_code == 403
    investor.refresh_from_db()
    assert investor.origin == "甘肃"


# --- Events, chains, targets, opportunities, annual targets -------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_events_with_their_signed_sums(personas, login, who):
    event = factories.EventFactory(
        name="资源综合利用产业招商暨湘企洽谈活动", reported_amount=Decimal("2179000")
    )
    factories.ProjectFactory(event=event, total_investment=Decimal("20000"))
    factories.ProjectFactory(
        event=event, total_investment=Decimal("9000"), contracted_investment=Decimal("6000")
    )

    row = login(getattr(personas, who)).get("/api/v1/events/?year=2025").json()["results"][0]

    assert row["name"] == event.name
    assert row["signed_count"] == 2
    assert row["signed_amount"] == "26000.00"
    assert row["reported_amount"] == "2179000.00"


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_the_chains_with_their_links(personas, login, who):
    chain = factories.ChainFactory(name="新能源和新能源电池")
    cells = factories.ChainLinkFactory(chain=chain, name="电池电芯及电机电控", order=1)
    separator = factories.ChainLinkFactory(
        chain=chain, name="隔膜", parent=cells, wanted_enterprises=2, order=2
    )
    separator.enterprises.add(factories.EnterpriseFactory())

    response = login(getattr(personas, who)).get("/api/v1/chains/")

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["name"] == "新能源和新能源电池"
    assert [(link["name"], link["parent"]) for link in row["links"]] == [
        ("电池电芯及电机电控", None),
        ("隔膜", cells.pk),
    ]
    assert row["links"][1]["gap_count"] == 1


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_the_target_list(personas, login, who):
    target = factories.TargetEnterpriseFactory(
        contact_status=TargetEnterprise.ContactStatus.NEGOTIATING
    )
    factories.TargetEnterpriseFactory()

    client = login(getattr(personas, who))
    rows = client.get("/api/v1/targets/?status=negotiating").json()["results"]

    assert [r["id"] for r in rows] == [target.pk]
    assert rows[0]["chain"] == target.chain_link.chain_id
    assert rows[0]["enterprise_name"] == target.enterprise.name


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_the_opportunity_list(personas, login, who):
    opportunity = factories.OpportunityFactory(title="碳酸酯项目")
    factories.OpportunityFactory()

    client = login(getattr(personas, who))
    rows = client.get(f"/api/v1/opportunities/?chain={opportunity.chain_link.chain_id}").json()

    assert [r["title"] for r in rows["results"]] == ["碳酸酯项目"]
    assert rows["results"][0]["scale"] == "20000.00"


@pytest.mark.parametrize("who", ROLES)
def test_every_role_reads_the_annual_targets(personas, login, who):
    AnnualTarget.objects.create(year=2025, unit=None, funds_in_place=Decimal("1500000"))
    AnnualTarget.objects.create(year=2025, unit=personas.unit_a, new_signings=12)

    rows = login(getattr(personas, who)).get("/api/v1/annual-targets/?year=2025").json()

    by_unit = {r["unit_name"]: r for r in rows["results"]}
    assert by_unit[None]["funds_in_place"] == "1500000.00"
    assert by_unit["甲单位"]["new_signings"] == 12


@pytest.mark.parametrize(
    "path", ["/api/v1/events/", "/api/v1/chains/", "/api/v1/targets/", "/api/v1/opportunities/"]
)
def test_the_lists_are_read_only_even_for_admins(personas, login, path):
    response = post(login(personas.admin), path, {"name": "x"})

    assert response.status_code == 405


# --- Query budgets ------------------------------------------------------------------------


def _projects(n):
    leader = factories.LeaderFactory()
    for _ in range(n):
        project = factories.ProjectFactory(leader=leader)
        project.team.add(leader)


def _progress(n):
    for i in range(n):
        factories.ProgressFactory(month=datetime.date(2020 + i // 12, i % 12 + 1, 1))


def _problems(n):
    factories.ProblemFactory.create_batch(n)


def _instructions(n):
    leader = factories.LeaderFactory()
    for problem in factories.ProblemFactory.create_batch(n):
        Instruction.objects.create(
            project=problem.project, problem=problem, leader=leader, text="x"
        )


def _enterprises(n):
    for enterprise in factories.EnterpriseFactory.create_batch(n):
        EnterpriseContact.objects.create(enterprise=enterprise, name="联系人")
        factories.ProjectFactory(investor=enterprise)


def _events(n):
    for event in factories.EventFactory.create_batch(n):
        factories.ProjectFactory(event=event)


def _chains(n):
    for chain in factories.ChainFactory.create_batch(n):
        link = factories.ChainLinkFactory(chain=chain)
        link.enterprises.add(factories.EnterpriseFactory())
        chain.chain_owners.add(factories.EnterpriseFactory())


def _targets(n):
    officer = factories.OfficerFactory()
    factories.TargetEnterpriseFactory.create_batch(n, officer=officer)


def _opportunities(n):
    factories.OpportunityFactory.create_batch(n)


def _reports(n):
    for month in range(1, n + 1):
        Report.objects.create(month=datetime.date(2024, month, 1), version=1)


def _annual_targets(n):
    for unit in factories.UnitFactory.create_batch(n):
        AnnualTarget.objects.create(year=2025, unit=unit)


# Each list with its fixed query count: 1 token and user, 2 the user's roles, 3 the count,
# 4 the page, then one per prefetched relation.
LISTS = [
    ("/api/v1/projects/", _projects, 7),  # + ids ranked first, the page's teams, co-investors
    ("/api/v1/progress/", _progress, 4),
    ("/api/v1/problems/", _problems, 4),
    ("/api/v1/instructions/", _instructions, 4),
    ("/api/v1/enterprises/", _enterprises, 5),  # + contacts (the admin sees them)
    ("/api/v1/events/", _events, 4),
    ("/api/v1/chains/", _chains, 7),  # + chain owners, links, the links' enterprises
    ("/api/v1/targets/", _targets, 4),
    ("/api/v1/opportunities/", _opportunities, 4),
    ("/api/v1/annual-targets/", _annual_targets, 4),
    ("/api/v1/reports/", _reports, 4),
]


@pytest.mark.parametrize(("path", "make", "queries"), LISTS, ids=[p for p, *_ in LISTS])
def test_every_list_runs_the_same_queries_at_two_page_sizes(
    personas, client, django_assert_num_queries, path, make, queries
):
    make(12)
    auth = {"HTTP_AUTHORIZATION": f"Token {token_issue(personas.admin)[1]}"}

    for size in (3, 12):
        with django_assert_num_queries(queries):
            response = client.get(f"{path}?page_size={size}", **auth)
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, response.json()["count"])
