from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.template import Context, Template
from django.urls import reverse

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from jinchang.formats import money
from org import roles
from org.models import User
from tests import factories


def test_money_shows_wan_below_one_yi_and_yi_above():
    assert money(Decimal("3500")) == "3,500.00万元"
    assert money(Decimal("1532900")) == "153.29亿元"
    assert money(None) == "—"
    assert money(Decimal("8000"), "yi") == "0.80亿元"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_stage_badge_names_every_stage_in_the_page_language(language):
    from django.utils import translation

    from projects.stages import Stage

    with translation.override(language):
        for stage in Stage:
            html = Template("{% stage_badge s %}").render(Context({"s": stage.value}))
            assert html == f'<span class="badge stage-{stage.value}">{stage.label}</span>'


def test_a_stage_badge_of_an_unknown_value_shows_it_escaped():
    html = Template("{% stage_badge s %}").render(Context({"s": "<b>x</b>"}))
    assert html == '<span class="badge stage-">&lt;b&gt;x&lt;/b&gt;</span>'
    assert Template("{% stage_badge s %}").render(Context({"s": ""})) == (
        '<span class="badge stage-">—</span>'
    )


def test_every_page_style_is_in_the_one_stylesheet():
    root = Path(__file__).resolve().parent.parent
    templates = root / "templates"
    stylesheet = (root / "static" / "css" / "app.css").read_text()

    with_styles = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "<style" in path.read_text()
    ]

    assert with_styles == []
    # One class of each area, to show its styles moved rather than vanished.
    for selector in (
        ".filter-box",
        ".board-card",
        ".quick-form",
        ".chain-map",
        ".dash-cards",
        ".report-doc",
        ".row-status",
    ):
        assert selector in stylesheet, selector


@pytest.mark.django_db
def test_the_three_roles_exist_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))
    assert {roles.OFFICER, roles.LEADER, roles.ADMIN} <= names
    officer = Group.objects.get(name=roles.OFFICER)
    assert officer.permissions.filter(codename="change_project").exists()
    assert not officer.permissions.filter(codename="delete_project").exists()
    leader = Group.objects.get(name=roles.LEADER)
    assert leader.permissions.filter(codename="add_instruction").exists()
    assert not leader.permissions.filter(codename="change_project").exists()


@pytest.mark.django_db
def test_demo_accounts_are_created_once_for_every_role():
    factories.UnitFactory(name="金昌市投资促进局", short_name="招商局")
    ensure_demo_accounts()
    ensure_demo_accounts()

    assert User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).count() == len(
        DEMO_ACCOUNTS
    )
    for role in roles.ROLE_NAMES:
        assert User.objects.filter(groups__name=role, is_illustrative=True).exists()
    officer = User.objects.get(username="officer_zsj")
    assert officer.check_password(DEMO_PASSWORD)
    assert officer.unit.short_name == "招商局"


@pytest.mark.django_db
def test_the_login_page_is_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "用户名" in response.content.decode()
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(client):
    user = factories.OfficerFactory(username="target")
    for _ in range(5):
        client.post(reverse("login"), {"username": "target", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "target", "password": "pw-for-tests-1"})

    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.pk


@pytest.mark.django_db
def test_a_correct_login_lands_each_role_on_its_work(client, personas):
    client.post(reverse("login"), {"username": "officer_a", "password": "pw-for-tests-1"})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("projects:my_work")


@pytest.mark.django_db
def test_password_change_page_is_in_chinese(login, personas):
    client = login(personas.officer_a)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "修改密码" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [("officer_a", 302), ("leader", 302), ("admin", 200)],
)
def test_only_admins_open_django_admin(login, personas, persona, status):
    client = login(getattr(personas, persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == status


@pytest.mark.django_db
def test_the_admin_is_in_chinese_and_lists_every_app(login, personas):
    response = login(personas.admin).get(reverse("admin:index"))
    html = response.content.decode()
    for label in ["招商项目", "产业链招商", "组织与用户"]:
        assert label in html


def test_healthz_answers(client, db):
    assert client.get("/healthz/").json()["ok"] is True


@pytest.mark.django_db
def test_a_demo_install_says_so_on_every_page(client, settings):
    settings.DEMO_INSTALL = True
    assert "演示系统 · 示例数据" in client.get(reverse("login")).content.decode()
    settings.DEMO_INSTALL = False
    assert "演示系统 · 示例数据" not in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_a_user_switches_the_interface_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert '<html lang="zh-hans">' in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("officer_a", True), ("officer_b", True), ("leader", False), ("admin", True)],
)
def test_officers_and_admins_maintain_the_shared_lists(personas, persona, allowed):
    assert roles.can_maintain_shared_lists(getattr(personas, persona)) is allowed
    assert roles.can_maintain_shared_lists(AnonymousUser()) is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "on_own_unit", "assigned_elsewhere"),
    [
        ("officer_a", True, True),  # the project's unit
        ("officer_b", False, True),  # the unit asked to clear it
        ("leader", False, False),
        ("admin", True, True),
    ],
)
def test_a_problem_is_resolved_by_the_projects_unit_the_assigned_unit_or_an_admin(
    personas, persona, on_own_unit, assigned_elsewhere
):
    project = factories.ProjectFactory(unit=personas.unit_a)
    own = factories.ProblemFactory(project=project, unit=personas.unit_a)
    elsewhere = factories.ProblemFactory(project=project, unit=personas.unit_b)
    user = getattr(personas, persona)

    assert roles.can_resolve_problem(user, own) is on_own_unit
    assert roles.can_resolve_problem(user, elsewhere) is assigned_elsewhere


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer_a", "leader"])
def test_a_staff_flag_alone_does_not_open_the_admin_to_officers_or_leaders(
    login, personas, persona
):
    # The admin writes models directly, past the services' unit rules.
    user = getattr(personas, persona)
    user.is_staff = True
    user.save()

    response = login(user).get(reverse("admin:projects_monthlyprogress_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


@pytest.mark.parametrize(
    "total, key",
    [(Decimal("4999.99"), False), (Decimal("5000"), False), (Decimal("5000.01"), True)],
)
def test_a_key_project_is_above_5000_wan_in_python_and_in_sql_alike(db, total, key):
    """One rule, read three ways: the model's property, the amount check the report and the
    briefing use, and the queryset filter the lists and figures use."""
    from projects.models import Project, is_key_amount, key_q

    project = factories.ProjectFactory(total_investment=total)
    assert project.is_key is key
    assert is_key_amount(total) is key
    assert Project.objects.filter(key_q(), pk=project.pk).exists() is key
