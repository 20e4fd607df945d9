"""Investment-promotion events (招商活动): the projects signed there, summed beside the totals
the city reported."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import selectors_work
from projects.stages import Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    """The 2025 resource-recycling signing conference: 28 projects, 217.9亿元 reported."""
    event = factories.EventFactory(
        name="资源综合利用产业招商暨湘企洽谈活动",
        venue="金昌",
        reported_project_count=28,
        reported_amount=Decimal("2179000"),
    )
    factories.ProjectFactory(
        event=event, total_investment=Decimal("200000"), contracted_investment=Decimal("150000")
    )
    # No separate contracted amount: the total investment is what was signed.
    factories.ProjectFactory(event=event, total_investment=Decimal("30000"))
    # Dropped since, but it was signed there.
    factories.ProjectFactory(
        event=event,
        stage=Stage.DROPPED,
        total_investment=Decimal("9000"),
        contracted_investment=Decimal("9000"),
    )
    factories.ProjectFactory(event=factories.EventFactory(), total_investment=Decimal("777"))
    factories.ProjectFactory(total_investment=Decimal("555"))
    return event


def test_the_event_page_sums_the_projects_signed_there_beside_the_reported_totals(
    personas, login, conference
):
    response = login(personas.leader).get(reverse("projects:event_detail", args=[conference.pk]))

    assert response.status_code == 200
    sums = response.context["sums"]
    assert (sums["count"], sums["amount"]) == (3, Decimal("189000"))
    assert (sums["reported_count"], sums["reported_amount"]) == (28, Decimal("2179000"))
    assert (sums["count_gap"], sums["amount_gap"]) == (-25, Decimal("-1990000"))
    assert len(response.context["projects"]) == 3
    html = response.content.decode()
    assert "18.90亿元" in html
    assert "217.90亿元" in html
    assert "-199.00亿元" in html


def test_an_event_without_reported_totals_shows_no_difference(personas, login):
    event = factories.EventFactory(reported_project_count=None, reported_amount=None)
    factories.ProjectFactory(event=event, contracted_investment=Decimal("100"))

    sums = selectors_work.event_sums(event)

    assert (sums["count"], sums["amount"]) == (1, Decimal("100"))
    assert (sums["count_gap"], sums["amount_gap"]) == (None, None)


def test_the_event_list_shows_each_events_sums(personas, login, conference):
    empty = factories.EventFactory(name="第31届兰洽会")

    response = login(personas.officer_a).get(reverse("projects:event_list"))

    rows = {e.pk: (e.signed_count, e.signed_amount) for e in response.context["page_obj"]}
    assert rows[conference.pk] == (3, Decimal("189000"))
    assert rows[empty.pk] == (0, Decimal("0"))


@pytest.mark.parametrize("size", [1, 6])
def test_the_event_pages_take_the_same_number_of_queries_whatever_the_size(
    personas, login, django_assert_num_queries, size
):
    event = factories.EventFactory()
    for _ in range(size):
        factories.ProjectFactory(event=event, chain=factories.ChainFactory())
        factories.EventFactory()
    client = login(personas.officer_a)

    # session, user, roles, the user's unit (top bar); the event, its sums, its projects.
    with django_assert_num_queries(7):
        client.get(reverse("projects:event_detail", args=[event.pk]))
    # session, user, roles, the user's unit; the count for the pages, the page of events.
    with django_assert_num_queries(6):
        client.get(reverse("projects:event_list"))
