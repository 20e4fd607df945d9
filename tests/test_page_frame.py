"""The frame around every page: which menu entry is lit, what the 403 and 404 pages say, and
the admin refusing people without the admin role in words instead of a login form."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def active_entries(html: str) -> list[str]:
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    return re.findall(r'class="active"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("who", "url", "lit"),
    [
        ("leader", reverse("projects:my_projects"), ["我的项目"]),
        ("officer_a", reverse("projects:my_work"), ["我的工作"]),
        ("officer_a", reverse("projects:board"), ["色卡看板"]),
        ("officer_a", reverse("projects:list"), ["项目台账"]),
        ("officer_a", reverse("projects:problem_list"), ["难点堵点"]),
        ("officer_a", reverse("projects:event_list"), ["招商活动"]),
        ("officer_a", reverse("projects:enterprise_list"), ["客商"]),
        ("officer_a", "/projects/no-such-page/", []),
    ],
)
def test_the_menu_lights_the_entry_of_the_page(client, personas, who, url, lit):
    client.force_login(getattr(personas, who))

    html = client.get(url).content.decode()

    assert active_entries(html) == lit


def test_the_project_pages_light_the_ledger(client, personas):
    project = factories.ProjectFactory(unit=personas.unit_a)
    client.force_login(personas.officer_a)

    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()

    assert active_entries(html) == ["项目台账"]


def test_the_404_page_says_what_was_missing_and_where_to_go(client, personas):
    client.force_login(personas.officer_a)

    response = client.get("/projects/999999/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "/projects/999999/" in html
    assert reverse("projects:list") in html
    assert reverse("projects:my_work") in html


@pytest.mark.parametrize("who", ["leader", "officer_a"])
def test_people_without_the_admin_role_are_told_the_admin_is_not_for_them(client, personas, who):
    client.force_login(getattr(personas, who))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "管理后台只对系统管理员开放" in response.content.decode()


def test_an_admin_reaches_the_admin(client, personas):
    client.force_login(personas.admin)

    assert client.get("/admin/").status_code == 200


def test_an_anonymous_visitor_gets_the_admin_login(client):
    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_unselected_filters_say_all(client, personas):
    client.force_login(personas.officer_a)

    ledger = client.get(reverse("projects:list")).content.decode()
    problems = client.get(reverse("projects:problem_list")).content.decode()

    for html in (ledger, problems):
        assert "---------" not in html
        assert '<option value="" selected>全部</option>' in html
    assert "（降序）" in ledger and "(descending)" not in ledger


def test_the_admin_names_the_login_records_in_chinese(client, personas):
    # django-axes ships no Chinese; locale/zh_Hans names its models.
    client.force_login(personas.admin)

    html = client.get("/admin/").content.decode()

    assert "登录尝试" in html
    assert "Access attempts" not in html
