"""The chain pages: who may see and do what, the lists' filters, and the forms."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chains.models import ChainLink, Opportunity, TargetEnterprise
from projects.models import Project
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db

READERS = ["officer_a", "officer_b", "leader", "admin"]
MAINTAINERS = ["officer_a", "officer_b", "admin"]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2025, 6, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def battery():
    """新能源和新能源电池 with one sub-chain, a gap link, a project, a target, an opportunity."""
    chain = factories.ChainFactory(name="新能源和新能源电池", short_name="新能源电池")
    sub_chain = factories.ChainLinkFactory(chain=chain, name="电解液及其他辅料")
    link = factories.ChainLinkFactory(
        chain=chain,
        parent=sub_chain,
        name="碳酸酯",
        gap_description="碳酸酯生产企业",
        wanted_enterprises=2,
    )
    project = factories.ProjectFactory(
        chain=chain, chain_link=link, stage=Stage.ORANGE, name="年产5万吨碳酸酯项目"
    )
    target = factories.TargetEnterpriseFactory(chain_link=link, enterprise__name="某碳酸酯企业")
    opportunity = factories.OpportunityFactory(chain_link=link, title="碳酸酯配套用地")
    factories.TaskForceFactory(chain=chain)
    return chain, sub_chain, link, project, target, opportunity


def client_for(persona_name, personas, client):
    if persona_name != "anonymous":
        client.force_login(getattr(personas, persona_name))
    return client


def page_urls(battery):
    chain, sub_chain, link, _project, target, opportunity = battery
    return [
        reverse("chains:overview"),
        reverse("chains:map", args=[chain.pk]),
        reverse("chains:link", args=[sub_chain.pk]),
        reverse("chains:opportunities"),
        reverse("chains:targets"),
        reverse("chains:taskforces"),
    ]


def form_urls(battery):
    _chain, _sub, _link, _project, target, opportunity = battery
    return [
        reverse("chains:opportunity_create"),
        reverse("chains:opportunity_edit", args=[opportunity.pk]),
        reverse("chains:target_create"),
        reverse("chains:target_edit", args=[target.pk]),
        reverse("chains:target_convert", args=[target.pk]),
    ]


# --- Permission matrix ------------------------------------------------------------------


@pytest.mark.parametrize("persona", READERS)
def test_every_role_reads_every_chain_page(persona, personas, client, battery):
    client = client_for(persona, personas, client)

    for url in page_urls(battery):
        response = client.get(url)
        assert response.status_code == 200, url


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_chain_page(client, battery):
    for url in page_urls(battery) + form_urls(battery):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_a_user_without_a_role_sees_no_chain_page(client, battery):
    client.force_login(factories.UserFactory(username="nobody"))

    for url in page_urls(battery):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", MAINTAINERS)
def test_officers_and_admins_open_the_list_forms(persona, personas, client, battery):
    client = client_for(persona, personas, client)

    for url in form_urls(battery):
        assert client.get(url).status_code == 200, url


def test_a_leader_opens_no_list_form(personas, client, battery):
    client = client_for("leader", personas, client)

    for url in form_urls(battery):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 302), ("officer_b", 302), ("admin", 302), ("leader", 403), ("anonymous", 302)],
)
def test_who_may_record_an_enterprise_on_a_link(persona, status, personas, client, battery):
    link = battery[2]
    firm = factories.EnterpriseFactory(name="甘肃某碳酸酯有限公司")
    client = client_for(persona, personas, client)

    response = client.post(
        reverse("chains:link_add_enterprise", args=[link.pk]), {"enterprise": firm.pk}
    )

    assert response.status_code == status
    allowed = persona in MAINTAINERS
    assert link.enterprises.filter(pk=firm.pk).exists() is allowed
    if persona == "anonymous":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 302), ("officer_b", 302), ("admin", 302), ("leader", 403), ("anonymous", 302)],
)
def test_who_may_remove_an_enterprise_from_a_link(persona, status, personas, client, battery):
    link = battery[2]
    firm = factories.EnterpriseFactory()
    link.enterprises.add(firm)
    client = client_for(persona, personas, client)

    response = client.post(reverse("chains:link_remove_enterprise", args=[link.pk, firm.pk]))

    assert response.status_code == status
    assert link.enterprises.filter(pk=firm.pk).exists() is (persona not in MAINTAINERS)


@pytest.mark.parametrize(
    ("persona", "converted"),
    [
        ("officer_a", True),
        ("officer_b", False),  # may convert, but only for unit B: unit A is not on offer
        ("admin", True),
        ("leader", False),
        ("anonymous", False),
    ],
)
def test_who_may_convert_a_target_for_unit_a(persona, converted, personas, client, battery):
    target = battery[4]
    client = client_for(persona, personas, client)

    client.post(
        reverse("chains:target_convert", args=[target.pk]),
        {
            "code": "JC-2025-0201",
            "name": "某碳酸酯企业碳酸酯项目",
            "total_investment": "30000",
            "place": factories.PlaceFactory(name="金昌经济技术开发区").pk,
            "unit": personas.unit_a.pk,
        },
    )

    target.refresh_from_db()
    assert (target.project_id is not None) is converted
    assert Project.objects.filter(code="JC-2025-0201").exists() is converted


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 302), ("officer_b", 302), ("admin", 302), ("leader", 403), ("anonymous", 302)],
)
def test_who_may_add_an_opportunity(persona, status, personas, client, battery):
    link = battery[2]
    client = client_for(persona, personas, client)

    response = client.post(
        reverse("chains:opportunity_create"),
        {"chain_link": link.pk, "title": "隔膜项目标准厂房", "scale": "50000", "status": "open"},
    )

    assert response.status_code == status
    assert Opportunity.objects.filter(title="隔膜项目标准厂房").exists() is (persona in MAINTAINERS)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 302), ("officer_b", 302), ("admin", 302), ("leader", 403), ("anonymous", 302)],
)
def test_who_may_add_a_target(persona, status, personas, client, battery):
    link = battery[2]
    firm = factories.EnterpriseFactory(name="某隔膜企业")
    client = client_for(persona, personas, client)

    response = client.post(
        reverse("chains:target_create"),
        {"enterprise": firm.pk, "chain_link": link.pk, "contact_status": "contacted"},
    )

    assert response.status_code == status
    assert TargetEnterprise.objects.filter(enterprise=firm).exists() is (persona in MAINTAINERS)


# --- Pages -------------------------------------------------------------------------------


def test_the_map_shows_markers_in_their_color_and_the_named_gap(personas, client, battery):
    chain, _sub, _link, project, _target, _opp = battery
    client.force_login(personas.leader)

    html = client.get(reverse("chains:map", args=[chain.pk])).content.decode()

    assert "电解液及其他辅料" in html
    assert f'href="/projects/{project.pk}/"' in html
    assert 'class="dot stage-orange"' in html
    assert "缺：碳酸酯生产企业（还需2家）" in html
    # the legend names every color, with how many projects on this map carry it
    assert html.count('<button type="button" class="legend-item"') == 5


def test_the_link_page_lists_its_projects_with_their_badges(personas, client, battery):
    _chain, sub_chain, _link, project, target, opportunity = battery
    client.force_login(personas.officer_b)

    html = client.get(reverse("chains:link", args=[sub_chain.pk])).content.decode()

    assert project.name in html
    assert 'class="badge stage-orange"' in html
    assert target.enterprise.name in html
    assert opportunity.title in html


def test_a_missing_chain_or_link_is_a_404(personas, client):
    client.force_login(personas.leader)

    assert client.get(reverse("chains:map", args=[9999])).status_code == 404
    assert client.get(reverse("chains:link", args=[9999])).status_code == 404


def test_the_overview_shows_this_years_funds_in_place(personas, client, battery):
    project = battery[3]
    factories.ProgressFactory(
        project=project, month=datetime.date(2025, 2, 1), funds_in_place=Decimal("1200")
    )
    client.force_login(personas.leader)

    response = client.get(reverse("chains:overview"))

    (row,) = response.context["overview"].rows
    assert row.funds_ytd == Decimal("1200")
    assert "1,200.00万元" in response.content.decode()


@pytest.mark.parametrize("url_name", ["chains:overview", "chains:map"])
def test_the_overview_and_map_pages_run_as_many_queries_for_a_big_chain(url_name, personas, client):
    client.force_login(personas.leader)

    def queries_for(size):
        chain = factories.ChainFactory(name=f"产业链规模{size}")
        for s in range(size):
            sub = factories.ChainLinkFactory(chain=chain, name=f"子链{s}")
            for n in range(size):
                link = factories.ChainLinkFactory(
                    chain=chain, parent=sub, name=f"环节{n}", wanted_enterprises=2
                )
                link.enterprises.add(factories.EnterpriseFactory())
                factories.ProjectFactory(chain=chain, chain_link=link, stage=Stage.BLUE)
        args = [chain.pk] if url_name == "chains:map" else []
        # The first read builds the closed months' MonthEnd rows (projects.month_ends).
        client.get(reverse(url_name, args=args))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name, args=args)).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(5)


# --- The lists' filters ----------------------------------------------------------------------


def test_the_target_list_filters_by_chain_and_by_link(personas, client, battery):
    chain, sub_chain, link, _project, target, _opp = battery
    elsewhere = factories.TargetEnterpriseFactory(enterprise__name="某钛合金企业")
    sibling = factories.ChainLinkFactory(chain=chain, parent=sub_chain, name="六氟磷酸锂")
    beside = factories.TargetEnterpriseFactory(chain_link=sibling, enterprise__name="某电解质企业")
    client.force_login(personas.officer_a)

    def listed(params):
        response = client.get(reverse("chains:targets"), params)
        return {t.pk for t in response.context["page"].object_list}

    assert listed({}) == {target.pk, elsewhere.pk, beside.pk}
    assert listed({"chain": chain.pk}) == {target.pk, beside.pk}
    assert listed({"chain_link": link.pk}) == {target.pk}
    # a sub-chain stands for the links under it
    assert listed({"chain_link": sub_chain.pk}) == {target.pk, beside.pk}


def test_the_opportunity_list_filters_and_totals_its_scale(personas, client, battery):
    chain, _sub, link, _project, _target, opportunity = battery
    factories.OpportunityFactory(chain_link=link, scale=Decimal("5000"), status="taken")
    factories.OpportunityFactory(scale=Decimal("70000"))
    client.force_login(personas.leader)

    response = client.get(reverse("chains:opportunities"), {"chain": chain.pk})

    assert response.context["totals"] == {"count": 2, "scale": Decimal("25000")}
    response = client.get(reverse("chains:opportunities"), {"chain": chain.pk, "status": "open"})
    assert [o.pk for o in response.context["page"].object_list] == [opportunity.pk]


def test_the_task_force_list_filters_by_unit_and_by_a_links_chain(personas, client, battery):
    chain, _sub, link, *_ = battery
    other = factories.TaskForceFactory(chain=factories.ChainFactory(name="化工循环"))
    other.member_units.add(personas.unit_b)
    client.force_login(personas.leader)

    def listed(params):
        response = client.get(reverse("chains:taskforces"), params)
        return [f.chain.name for f in response.context["page"].object_list]

    assert listed({"chain_link": link.pk}) == [chain.name]
    assert listed({"unit": personas.unit_b.pk}) == ["化工循环"]


def test_a_malformed_filter_is_shown_not_a_server_error(personas, client, battery):
    client.force_login(personas.leader)

    response = client.get(reverse("chains:targets"), {"chain": "abc", "chain_link": "999999"})

    assert response.status_code == 200
    assert response.context["filter"].errors


def test_the_export_link_carries_the_filters_but_not_the_page(personas, client, battery):
    chain = battery[0]
    client.force_login(personas.officer_a)

    response = client.get(reverse("chains:opportunities"), {"chain": chain.pk, "page": "2"})

    assert response.context["export_url"] == f"/ledger/export/opportunities/?chain={chain.pk}"
    assert f'href="/ledger/export/opportunities/?chain={chain.pk}"' in response.content.decode()


def test_the_lists_are_paginated(personas, client):
    link = factories.ChainLinkFactory()
    for _ in range(51):
        factories.OpportunityFactory(chain_link=link)
    client.force_login(personas.leader)

    first = client.get(reverse("chains:opportunities"))
    second = client.get(reverse("chains:opportunities"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert first.context["totals"]["count"] == 51


def test_a_list_runs_as_many_queries_for_many_rows(personas, client):
    client.force_login(personas.leader)

    def queries_for(count):
        link = factories.ChainLinkFactory()
        for _ in range(count):
            factories.TargetEnterpriseFactory(chain_link=link, officer=personas.officer_a)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("chains:targets"))
        return len(captured)

    assert queries_for(1) == queries_for(20)


# --- The forms ---------------------------------------------------------------------------


def test_converting_through_the_page_keeps_the_link(personas, client, battery):
    _chain, _sub, link, _project, target, _opp = battery
    client.force_login(personas.officer_a)

    response = client.post(
        reverse("chains:target_convert", args=[target.pk]),
        {
            "code": "JC-2025-0301",
            "name": "某碳酸酯企业碳酸酯项目",
            "total_investment": "30000",
            "place": factories.PlaceFactory().pk,
            "unit": personas.unit_a.pk,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("chains:link", args=[link.pk])
    project = Project.objects.get(code="JC-2025-0301")
    assert project.chain_link == link
    target.refresh_from_db()
    assert target.project == project


def test_a_bad_conversion_shows_a_field_message_and_saves_nothing(personas, client, battery):
    target = battery[4]
    existing = battery[3]
    client.force_login(personas.admin)

    response = client.post(
        reverse("chains:target_convert", args=[target.pk]),
        {
            "code": existing.code,
            "name": "",
            "total_investment": "0",
            "place": factories.PlaceFactory().pk,
            "unit": personas.unit_a.pk,
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert {"code", "name", "total_investment"} <= set(form.errors)
    target.refresh_from_db()
    assert target.project is None
    assert Project.objects.count() == 1


def test_an_officer_is_offered_only_their_own_unit(personas, client, battery):
    target = battery[4]
    client.force_login(personas.officer_b)

    response = client.get(reverse("chains:target_convert", args=[target.pk]))

    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [personas.unit_b]


def test_an_unknown_enterprise_gives_a_message_not_an_error(personas, client, battery):
    link = battery[2]
    client.force_login(personas.officer_a)

    response = client.post(
        reverse("chains:link_add_enterprise", args=[link.pk]), {"enterprise": "999999"}, follow=True
    )

    assert response.status_code == 200
    assert "请选择系统中已有的企业" in response.content.decode()
    assert ChainLink.objects.get(pk=link.pk).gap_count() == 2


def test_adding_an_enterprise_on_the_page_shrinks_the_gap(personas, client, battery):
    link = battery[2]
    firm = factories.EnterpriseFactory(name="甘肃某碳酸酯有限公司")
    client.force_login(personas.officer_a)

    response = client.post(
        reverse("chains:link_add_enterprise", args=[link.pk]), {"enterprise": firm.pk}, follow=True
    )

    assert "尚缺1家" in response.content.decode()
    assert link.gap_count() == 1


def test_a_target_form_does_not_offer_converted(personas, client, battery):
    client.force_login(personas.officer_a)

    response = client.get(reverse("chains:target_create"))

    choices = [c for c, _ in response.context["form"].fields["contact_status"].choices]
    assert "converted" not in choices
