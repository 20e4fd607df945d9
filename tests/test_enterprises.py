"""Investors (客商): the credit code's validation, the 链主/头部 flags, contacts kept from
leaders and strangers, and their projects."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Enterprise, EnterpriseContact
from projects.validators import credit_code_check_char
from tests import factories

pytestmark = pytest.mark.django_db

FIRST17 = "91620300MA74X1234"
VALID_CODE = FIRST17 + credit_code_check_char(FIRST17)


def wrong_check_char(code):
    return next(c for c in "0123456789" if c != code[17])


def post_enterprise(client, **overrides):
    data = {
        "name": "甘肃拓拓环保科技有限公司",
        "credit_code": VALID_CODE,
        "origin": "甘肃",
        "is_head": "on",
        "description": "废铅酸蓄电池处理",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "李经理",
        "contacts-0-title": "总经理",
        "contacts-0-phone": "13800000000",
        "contacts-1-name": "",
        "contacts-1-title": "",
        "contacts-1-phone": "",
    }
    data.update(overrides)
    return client.post(reverse("projects:enterprise_add"), data)


def credit_code_errors(response):
    return [str(e) for e in response.context["form"].errors.get("credit_code", [])]


def test_an_officer_registers_an_investor_with_a_valid_code_and_a_contact(personas, login):
    response = post_enterprise(login(personas.officer_a))

    enterprise = Enterprise.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("projects:enterprise_detail", args=[enterprise.pk])
    assert enterprise.credit_code == VALID_CODE
    assert (enterprise.is_head, enterprise.is_chain_owner) == (True, False)
    assert list(enterprise.contacts.values_list("name", "title", "phone")) == [
        ("李经理", "总经理", "13800000000")
    ]


def test_a_lower_case_code_is_stored_in_capitals(personas, login):
    post_enterprise(login(personas.officer_a), credit_code=f" {VALID_CODE.lower()} ")

    assert Enterprise.objects.get().credit_code == VALID_CODE


def test_the_credit_code_is_optional(personas, login):
    response = post_enterprise(login(personas.officer_a), credit_code="")

    assert response.status_code == 302
    assert Enterprise.objects.get().credit_code == ""


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (VALID_CODE[:17], "统一社会信用代码应为18位，当前为17位。"),
        (VALID_CODE + "1", "统一社会信用代码应为18位，当前为19位。"),
        ("91620300MA74XI23O" + "1", "统一社会信用代码含有无效字符：IO。"),
        (VALID_CODE[:17] + wrong_check_char(VALID_CODE), "统一社会信用代码校验位不正确，请核对。"),
    ],
)
def test_an_invalid_credit_code_is_refused_in_chinese(personas, login, code, message):
    response = post_enterprise(login(personas.officer_a), credit_code=code)

    assert response.status_code == 200
    assert credit_code_errors(response) == [message]
    assert not Enterprise.objects.exists()
    assert not EnterpriseContact.objects.exists()


def test_a_code_already_registered_is_refused(personas, login):
    factories.EnterpriseFactory(name="金川集团股份有限公司", credit_code=VALID_CODE)

    response = post_enterprise(login(personas.officer_a))

    assert credit_code_errors(response) == ["该统一社会信用代码已登记为“金川集团股份有限公司”。"]
    assert Enterprise.objects.count() == 1


def test_a_name_already_registered_is_refused(personas, login):
    factories.EnterpriseFactory(name="甘肃拓拓环保科技有限公司")

    response = post_enterprise(login(personas.officer_a), credit_code="")

    assert response.context["form"].errors["name"]
    assert Enterprise.objects.count() == 1


def test_a_contact_without_a_name_is_refused(personas):
    with pytest.raises(ValidationError) as caught:
        services.enterprise_create(
            user=personas.officer_a, name="某企业", contacts=[{"name": "", "phone": "139"}]
        )

    assert caught.value.message_dict == {"contacts": ["联系人须填写姓名。"]}
    assert not Enterprise.objects.exists()


def test_editing_replaces_the_contacts(personas, login):
    enterprise = factories.EnterpriseFactory(name="金车储能")
    EnterpriseContact.objects.create(enterprise=enterprise, name="旧联系人", phone="1")

    response = login(personas.officer_b).post(
        reverse("projects:enterprise_edit", args=[enterprise.pk]),
        {
            "name": "金车储能",
            "credit_code": "",
            "origin": "甘肃",
            "is_chain_owner": "on",
            "contacts-TOTAL_FORMS": "2",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-name": "",
            "contacts-0-title": "",
            "contacts-0-phone": "",
            "contacts-1-name": "新联系人",
            "contacts-1-title": "",
            "contacts-1-phone": "2",
        },
    )

    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.is_chain_owner
    assert list(enterprise.contacts.values_list("name", flat=True)) == ["新联系人"]


def edit_form(enterprise, contact_name, version):
    return {
        "name": enterprise.name,
        "credit_code": "",
        "origin": "甘肃",
        "version": version,
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": contact_name,
        "contacts-0-title": "",
        "contacts-0-phone": "1",
    }


def test_a_save_over_another_officers_newer_edit_is_refused_and_loses_nothing(personas, login):
    enterprise = factories.EnterpriseFactory(name="金车储能")
    url = reverse("projects:enterprise_edit", args=[enterprise.pk])
    # Both officers opened the form on version 1; A saves first.
    first = login(personas.officer_a).post(url, edit_form(enterprise, "甲的联系人", 1))
    assert first.status_code == 302

    second = login(personas.officer_b).post(url, edit_form(enterprise, "乙的联系人", 1))

    assert second.status_code == 200
    assert "已被他人修改" in second.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.version == 2
    assert list(enterprise.contacts.values_list("name", flat=True)) == ["甲的联系人"]


@pytest.fixture
def investor():
    enterprise = factories.EnterpriseFactory(name="金川集团股份有限公司", is_chain_owner=True)
    EnterpriseContact.objects.create(
        enterprise=enterprise, name="周联络", title="投资部", phone="13912345678"
    )
    return enterprise


@pytest.mark.parametrize("persona", ["officer_a", "officer_b", "admin"])
def test_staff_see_the_contacts(personas, login, investor, persona):
    response = login(getattr(personas, persona)).get(
        reverse("projects:enterprise_detail", args=[investor.pk])
    )

    assert "13912345678" in response.content.decode()


def test_a_leader_does_not_see_the_contacts(personas, login, investor):
    response = login(personas.leader).get(reverse("projects:enterprise_detail", args=[investor.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["contacts"] is None
    assert "13912345678" not in html
    assert "周联络" not in html


def test_an_anonymous_visitor_is_sent_to_log_in(client, investor):
    response = client.get(reverse("projects:enterprise_detail", args=[investor.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_detail_lists_projects_as_investor_and_co_investor(personas, login, investor):
    own = factories.ProjectFactory(investor=investor)
    shared = factories.ProjectFactory()
    shared.co_investors.add(investor)
    factories.ProjectFactory()

    response = login(personas.leader).get(reverse("projects:enterprise_detail", args=[investor.pk]))

    assert {p.pk for p in response.context["projects"]} == {own.pk, shared.pk}
    assert "（参与投资）" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["甘肃德通国钛金属有限公司", "金川集团股份有限公司", "龙佰集团股份有限公司"]),
        ("?chain_owner=on", ["金川集团股份有限公司"]),
        ("?head=on", ["龙佰集团股份有限公司"]),
        ("?q=国钛", ["甘肃德通国钛金属有限公司"]),
        ("?q=河南", ["龙佰集团股份有限公司"]),
    ],
)
def test_the_list_searches_and_filters(personas, login, investor, query, expected):
    factories.EnterpriseFactory(name="龙佰集团股份有限公司", is_head=True, origin="河南")
    factories.EnterpriseFactory(name="甘肃德通国钛金属有限公司")

    response = login(personas.leader).get(reverse("projects:enterprise_list") + query)

    assert sorted(e.name for e in response.context["page_obj"]) == sorted(expected)


def test_the_list_counts_each_investors_projects(personas, login, investor):
    factories.ProjectFactory.create_batch(2, investor=investor)

    response = login(personas.leader).get(reverse("projects:enterprise_list"))

    assert {e.name: e.project_count for e in response.context["page_obj"]} == {
        "金川集团股份有限公司": 2,
        **{e.name: 0 for e in response.context["page_obj"] if e.name != "金川集团股份有限公司"},
    }
