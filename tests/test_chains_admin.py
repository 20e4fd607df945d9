"""The admin manages the chains; it keeps the map's rules and the conversion trail."""

import pytest
from django.urls import reverse

from chains.models import ChainLink
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:chains_industrychain_changelist",
    "admin:chains_chainlink_changelist",
    "admin:chains_opportunity_changelist",
    "admin:chains_targetenterprise_changelist",
    "admin:chains_chaintaskforce_changelist",
]


@pytest.fixture
def chain_data():
    link = factories.ChainLinkFactory(gap_description="碳酸酯", wanted_enterprises=2)
    link.enterprises.add(factories.EnterpriseFactory())
    factories.OpportunityFactory(chain_link=link)
    factories.TargetEnterpriseFactory(chain_link=link)
    factories.TaskForceFactory(chain=link.chain)
    return link


def test_the_admin_lists_every_chain_model(personas, login, chain_data):
    client = login(personas.admin)

    for name in CHANGELISTS:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_link_list_shows_how_many_firms_are_still_missing(personas, login, chain_data):
    client = login(personas.admin)

    response = client.get(reverse("admin:chains_chainlink_changelist"))

    (link,) = response.context["cl"].result_list
    assert (link.present, link.gap_count(present=link.present)) == (1, 1)


@pytest.mark.parametrize("persona", ["officer_a", "leader"])
def test_officers_and_leaders_do_not_change_chains_in_the_admin(persona, personas, login):
    client = login(getattr(personas, persona))

    response = client.get(reverse("admin:chains_chainlink_add"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_admin_refuses_a_parent_from_another_chain(personas, login):
    chain = factories.ChainFactory(name="新能源和新能源电池")
    foreign = factories.ChainLinkFactory(name="高温合金")
    client = login(personas.admin)

    response = client.post(
        reverse("admin:chains_chainlink_add"),
        {
            "chain": chain.pk,
            "parent": foreign.pk,
            "name": "隔膜",
            "position": "mid",
            "wanted_enterprises": 1,
            "order": 0,
        },
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not ChainLink.objects.filter(name="隔膜").exists()
