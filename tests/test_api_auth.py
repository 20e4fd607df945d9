"""Token auth: POST /api/v1/auth/token/, throttled and locked out like the login page; and
anonymous or role-less callers get nothing from any endpoint."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PASSWORD = "pw-for-tests-1"  # UserFactory's

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


def test_it_gives_a_token_for_a_username_and_password(personas, client):
    response = ask_token(client, "officer_a", PASSWORD)

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=personas.officer_a).key}


def test_the_same_token_is_given_again(personas, client):
    first = ask_token(client, "officer_a", PASSWORD).json()["token"]
    second = ask_token(client, "officer_a", PASSWORD).json()["token"]

    assert first == second


def test_the_token_authenticates_later_requests(personas, client, some_data):
    key = ask_token(client, "leader", PASSWORD).json()["token"]

    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "保密项目名称"


def test_a_wrong_password_gets_400_and_no_token(personas, client):
    response = ask_token(client, "officer_a", "wrong-password")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.exists()


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
    assert not Token.objects.exists()
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
