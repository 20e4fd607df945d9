"""等保2.0 三级 for accounts: complex passwords, a first-login change of a password an admin
set, and the end of an idle session."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from org.models import User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
STRONG = "Jinchang#2026x"


# --- Complexity -------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["jinchangzhaoshang", "jinchang2026", "Short#1"])
def test_a_simple_or_short_password_is_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_password_of_three_kinds_and_ten_characters_is_accepted():
    validate_password(STRONG)


def test_the_message_says_what_is_missing():
    with pytest.raises(ValidationError) as caught:
        validate_password("jinchangzhaoshang2026")

    assert "密码须至少包含小写字母、大写字母、数字、符号中的3类。" in caught.value.messages


def test_the_password_change_page_refuses_a_simple_password(personas, client):
    client.force_login(personas.officer_a)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "aaaaaaaaaaaa",
            "new_password2": "aaaaaaaaaaaa",
        },
    )

    assert response.status_code == 200
    assert "3类" in response.content.decode()


# --- First login after an admin set the password ----------------------------------------------


def add_user_in_admin(client, personas) -> User:
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:org_user_add"),
        {
            "username": "new_officer",
            "password1": STRONG,
            "password2": STRONG,
            "usable_password": "true",
            "full_name": "新专员",
            "unit": personas.unit_a.pk,
            "title": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    client.logout()
    return User.objects.get(username="new_officer")


def test_an_account_an_admin_creates_must_change_its_password_first(personas, client):
    user = add_user_in_admin(client, personas)
    assert user.must_change_password

    client.post(reverse("login"), {"username": "new_officer", "password": STRONG})
    response = client.get(reverse("projects:list"))

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")


def test_after_changing_it_the_account_works(personas, client):
    add_user_in_admin(client, personas)
    client.post(reverse("login"), {"username": "new_officer", "password": STRONG})

    response = client.post(
        reverse("password_change"),
        {
            "old_password": STRONG,
            "new_password1": "Mine&Only2026",
            "new_password2": "Mine&Only2026",
        },
    )

    assert response.status_code == 302
    assert not User.objects.get(username="new_officer").must_change_password
    assert client.get(reverse("projects:list")).status_code != 302


def test_a_password_an_admin_resets_must_be_changed_too(personas, client):
    client.force_login(personas.admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[personas.officer_a.pk]),
        {"password1": STRONG, "password2": STRONG, "usable_password": "true"},
    )

    assert response.status_code == 302
    personas.officer_a.refresh_from_db()
    assert personas.officer_a.must_change_password


def test_an_account_that_must_change_its_password_gets_no_api_data(personas, client):
    personas.leader.must_change_password = True
    personas.leader.save()
    client.force_login(personas.leader)

    response = client.get("/api/v1/projects/")

    assert response.status_code == 403
    assert "初始密码" in response.json()["detail"]


def test_an_unknown_address_also_leads_to_the_password_change(personas, client):
    personas.leader.must_change_password = True
    personas.leader.save()
    client.force_login(personas.leader)

    response = client.get("/no/such/page/")

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")


def test_the_password_change_page_and_logout_stay_open(personas, client):
    personas.leader.must_change_password = True
    personas.leader.save()
    client.force_login(personas.leader)

    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


# --- Idle sessions ----------------------------------------------------------------------------


def test_a_session_idle_past_the_timeout_is_signed_out(personas, client, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": "leader", "password": PASSWORD})
        assert client.get(reverse("projects:list")).status_code == 200

    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        response = client.get(reverse("projects:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive(personas, client, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    for minutes in (20, 40, 60):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("projects:list")).status_code == 200


def test_the_session_cookie_lasts_as_long_as_the_idle_timeout(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 == 1800


def test_a_factory_user_is_not_forced_to_change(personas):
    assert not factories.OfficerFactory(username="plain").must_change_password
