"""Failed logins are limited per address across usernames too: one address trying a password
against many usernames is locked out, on the login page and at the API's token endpoint,
while other addresses and the per-username limit work as before."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # UserFactory's
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


def log_in(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def spray(client, settings, address=ATTACKER) -> list[int]:
    """One wrong password against AXES_IP_FAILURE_LIMIT usernames: the statuses answered."""
    return [
        log_in(client, f"guess{i}", "123456", address).status_code
        for i in range(settings.AXES_IP_FAILURE_LIMIT)
    ]


def test_an_address_failing_across_many_usernames_is_locked_out(personas, client, settings):
    statuses = spray(client, settings)
    # The form again with its error each time, until the failure that reaches the limit.
    assert statuses == [200] * (settings.AXES_IP_FAILURE_LIMIT - 1) + [429]

    response = log_in(client, "officer_a", PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_refuses_a_locked_out_address(personas, client, settings):
    spray(client, settings)

    response = client.post(
        "/api/v1/auth/token/",
        {"username": "leader", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=ATTACKER,
    )

    assert response.status_code == 429


def test_another_address_still_logs_in(personas, client, settings):
    spray(client, settings)

    response = log_in(client, "officer_a", PASSWORD, OFFICE)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.officer_a.pk)


def test_fewer_failures_than_the_address_limit_lock_nobody_out(personas, client, settings):
    for i in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        log_in(client, f"guess{i}", "123456", ATTACKER)

    assert log_in(client, "officer_a", PASSWORD, ATTACKER).status_code == 302
