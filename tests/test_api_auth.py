"""Token auth: POST /api/v1/auth/token/, throttled and locked out like the login page; tokens
stored hashed, expiring, and ended by a password change or a deactivation; and
anonymous or role-less callers get nothing from any endpoint."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.throttling import AnonRateThrottle

from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PASSWORD = "pw-for-tests-1"  # UserFactory's
NEW = "Changed#Pass2026"

# Every endpoint an integration reads, with a row behind each so "no data" means something.
READ_ENDPOINTS = [
    "/api/v1/projects/",
    "/api/v1/projects/{project}/",
    "/api/v1/projects/{project}/history/",
    "/api/v1/projects/export/",
    "/api/v1/progress/",
    "/api/v1/problems/",
    "/api/v1/instructions/",
    "/api/v1/enterprises/",
    "/api/v1/events/",
    "/api/v1/chains/",
    "/api/v1/targets/",
    "/api/v1/opportunities/",
    "/api/v1/annual-targets/",
    "/api/v1/dashboard/",
    "/api/v1/reports/",
]


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # The throttles count in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


def ask_token(client, username, password):
    return client.post(
        TOKEN, {"username": username, "password": password}, content_type="application/json"
    )


@pytest.fixture
def some_data(personas):
    project = factories.ProjectFactory(name="保密项目名称", unit=personas.unit_a)
    factories.ProgressFactory(project=project, narrative="保密进展")
    factories.ProblemFactory(project=project, description="保密问题")
    return project


def test_it_gives_a_token_for_a_username_and_password(personas, client, settings):
    response = ask_token(client, "officer_a", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    stored = AuthToken.objects.get(user=personas.officer_a)
    expected = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert abs((stored.expiry - expected).total_seconds()) < 60
    assert parse_datetime(body["expires"]) == stored.expiry


def test_the_token_is_stored_only_as_a_digest(personas, client):
    token = ask_token(client, "officer_a", PASSWORD).json()["token"]

    stored = AuthToken.objects.get(user=personas.officer_a)
    assert token not in (stored.digest, stored.token_key)
    assert stored.digest == hash_token(token)


def test_each_request_gives_a_new_token_and_the_earlier_one_keeps_working(
    personas, client, some_data
):
    first = ask_token(client, "officer_a", PASSWORD).json()["token"]
    second = ask_token(client, "officer_a", PASSWORD).json()["token"]

    assert first != second
    for token in (first, second):
        response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200


def test_an_expired_token_is_refused(personas, client, some_data):
    token = ask_token(client, "officer_a", PASSWORD).json()["token"]
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401
    assert not AuthToken.objects.exists()


def test_a_password_change_ends_the_tokens_issued_before_it(personas, client, some_data):
    token = ask_token(client, "officer_a", PASSWORD).json()["token"]
    client.force_login(personas.officer_a)
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert changed.status_code == 302
    client.logout()

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401
    assert "令牌已失效" in response.json()["detail"]
    assert not AuthToken.objects.filter(user=personas.officer_a).exists()
    fresh = ask_token(client, "officer_a", NEW).json()["token"]
    assert client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200


def test_deactivating_an_account_ends_its_tokens(personas, client, some_data):
    token = ask_token(client, "officer_a", PASSWORD).json()["token"]
    personas.officer_a.is_active = False
    personas.officer_a.save()

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401
    assert not AuthToken.objects.filter(user=personas.officer_a).exists()


def test_a_token_revoked_by_its_holder_stops_working(personas, client, some_data):
    token = ask_token(client, "officer_a", PASSWORD).json()["token"]
    other = ask_token(client, "officer_a", PASSWORD).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

    response = client.post("/api/v1/auth/token/revoke/", **auth)

    assert response.status_code == 204
    assert client.get("/api/v1/projects/", **auth).status_code == 401
    # Only that token: the holder's other one still works.
    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {other}")
    assert response.status_code == 200


def test_revoking_needs_a_token(personas, client):
    assert client.post("/api/v1/auth/token/revoke/").status_code == 401


def test_an_account_with_an_admin_set_password_gets_no_token(personas, client):
    personas.officer_a.must_change_password = True
    personas.officer_a.save()

    response = ask_token(client, "officer_a", PASSWORD)

    assert response.status_code == 403
    assert "初始密码" in response.json()["detail"]
    assert not AuthToken.objects.exists()


def test_the_token_authenticates_later_requests(personas, client, some_data):
    key = ask_token(client, "leader", PASSWORD).json()["token"]

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "保密项目名称"


def test_a_wrong_password_gets_400_and_no_token(personas, client):
    response = ask_token(client, "officer_a", "wrong-password")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not AuthToken.objects.exists()


def test_a_missing_field_gets_400_naming_it(personas, client):
    response = client.post(TOKEN, {"username": "officer_a"}, content_type="application/json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_an_inactive_user_gets_no_token(personas, client):
    personas.officer_a.is_active = False
    personas.officer_a.save()

    assert ask_token(client, "officer_a", PASSWORD).status_code == 400


def test_failed_attempts_lock_the_account_out_as_on_the_login_page(personas, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        ask_token(client, "officer_a", "wrong-password")

    # Even the right password is refused while the lockout lasts.
    response = ask_token(client, "officer_a", PASSWORD)

    assert response.status_code == 429
    assert "锁定" in response.json()["detail"]
    assert not AuthToken.objects.exists()
    assert AccessAttempt.objects.filter(username="officer_a").exists()


def test_the_token_endpoint_is_rate_limited(personas, client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "2/min"})

    statuses = [ask_token(client, "nobody", "x").status_code for _ in range(3)]

    assert statuses == [400, 400, 429]


SECRETS = ("保密项目名称", "保密进展", "保密问题", "results")


def test_anonymous_callers_get_401_and_no_data(personas, client, some_data):
    for path in READ_ENDPOINTS:
        response = client.get(path.format(project=some_data.pk))

        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Token", path
        body = response.content.decode()
        assert not [s for s in SECRETS if s in body], path


def test_a_bad_token_gets_401_and_no_data(personas, client, some_data):
    for path in READ_ENDPOINTS:
        response = client.get(path.format(project=some_data.pk), HTTP_AUTHORIZATION="Token nope")

        assert response.status_code == 401, path
        body = response.content.decode()
        assert not [s for s in SECRETS if s in body], path


def test_a_user_without_a_role_gets_403_and_no_data(personas, client, some_data):
    client.force_login(factories.UserFactory(username="no_role"))
    for path in READ_ENDPOINTS:
        response = client.get(path.format(project=some_data.pk))

        assert response.status_code == 403, path
        body = response.content.decode()
        assert not [s for s in SECRETS if s in body], path


def test_an_auditor_s_token_reads_and_writes_nothing(personas, client, some_data):
    token = ask_token(client, "auditor", PASSWORD).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    for path in READ_ENDPOINTS:
        response = client.get(path.format(project=some_data.pk), **auth)

        assert response.status_code == 403, path
        body = response.content.decode()
        assert not [s for s in SECRETS if s in body], path
    for path in WRITE_ENDPOINTS:
        response = client.post(
            path.format(project=some_data.pk), {}, content_type="application/json", **auth
        )
        assert response.status_code == 403, path


WRITE_ENDPOINTS = [
    "/api/v1/projects/",
    "/api/v1/projects/{project}/transition/",
    "/api/v1/progress/",
    "/api/v1/problems/",
    "/api/v1/instructions/",
    "/api/v1/enterprises/",
    "/api/v1/reports/",
]


def test_anonymous_callers_write_nothing(personas, client, some_data):
    for path in WRITE_ENDPOINTS:
        response = client.post(
            path.format(project=some_data.pk), {}, content_type="application/json"
        )

        assert response.status_code == 401, path
