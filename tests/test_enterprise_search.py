"""The investor fields search as one types: the form carries only what is chosen, the search
answers with the matches, and only people who may read projects may ask."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

OPTIONS = reverse("projects:enterprise_options")


@pytest.fixture
def investors():
    names = [f"甘肃示例企业{n:02d}有限公司" for n in range(40)]
    return [factories.EnterpriseFactory(name=name) for name in names] + [
        factories.EnterpriseFactory(name="金川集团股份有限公司", credit_code="91620300224520001X")
    ]


def test_the_project_form_carries_only_the_chosen_investor(login, personas, investors):
    project = factories.ProjectFactory(unit=personas.unit_a, investor=investors[-1])

    page = login(personas.officer_a).get(reverse("projects:edit", args=[project.pk]))

    text = page.content.decode()
    assert f'<option value="{investors[-1].pk}" selected>金川集团股份有限公司</option>' in text
    assert "甘肃示例企业00有限公司" not in text  # 40 others never sent
    assert 'name="investor__search"' in text


def test_a_search_answers_the_chosen_first_then_the_matches(login, personas, investors):
    chosen = investors[5]

    answer = login(personas.officer_a).get(
        OPTIONS, {"field": "co_investors", "co_investors": [chosen.pk], "q": "示例企业1"}
    )

    text = answer.content.decode()
    assert text.index(chosen.name) < text.index("甘肃示例企业10有限公司")
    assert f'<option value="{chosen.pk}" selected>' in text
    assert text.count("<option") == 1 + 10  # 10..19


def test_a_credit_code_finds_its_investor_and_nothing_found_says_so(login, personas, investors):
    client = login(personas.officer_a)

    found = client.get(OPTIONS, {"field": "investor", "q": "224520001"}).content.decode()
    nothing = client.get(OPTIONS, {"field": "investor", "q": "不存在的企业"}).content.decode()

    assert "金川集团股份有限公司" in found
    assert "没有找到" in nothing


def test_a_search_returns_at_most_thirty(login, personas, investors):
    text = login(personas.leader).get(OPTIONS, {"field": "investor", "q": "示例"}).content
    assert text.decode().count("<option") == 30


@pytest.mark.parametrize("who", ["officer_a", "officer_b", "leader", "admin"])
def test_every_reader_may_search(login, personas, investors, who):
    assert login(getattr(personas, who)).get(OPTIONS, {"q": "金川"}).status_code == 200


def test_anonymous_is_sent_to_log_in(client, investors):
    response = client.get(OPTIONS, {"q": "金川"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_auditor_may_not_search(login, personas, investors):
    assert login(personas.auditor).get(OPTIONS, {"q": "金川"}).status_code == 403


def test_a_form_posted_with_any_investor_id_still_validates(login, personas, investors):
    project = factories.ProjectFactory(unit=personas.unit_a)
    page = login(personas.officer_a).get(reverse("projects:edit", args=[project.pk]))
    form = page.context["form"]
    data = {
        name: form[name].value() for name in form.fields if form[name].value() not in (None, "")
    }
    data.update(investor=investors[7].pk, co_investors=[investors[8].pk, investors[9].pk])

    response = login(personas.officer_a).post(reverse("projects:edit", args=[project.pk]), data)

    assert response.status_code == 302, response.context["form"].errors
    project.refresh_from_db()
    assert project.investor == investors[7]
    assert set(project.co_investors.all()) == {investors[8], investors[9]}
