"""The cache is an accelerator, never a dependency: with the cache pointing at a closed port
people still log in (page and API token), read and save, the API's throttles let them through,
and /healthz/ reports the cache as down without failing the site."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from jinchang.env import env_cache
from projects.models import Project
from tests import factories
from tests.test_dispatch_broker import broker  # noqa: F401 (the fixture taking the broker down)
from tests.test_project_pages import form_data

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # UserFactory's
# Port 1 (tcpmux) is closed on any machine that runs the tests: every connection is refused.
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    # The production configuration of a Redis cache, built by the same helper as settings.
    monkeypatch.setenv("TEST_DOWN_CACHE_URL", CLOSED_PORT)
    settings.CACHES = {"default": env_cache("TEST_DOWN_CACHE_URL", "locmem://")}
    assert cache.get("anything") is None  # the backend answers, however unreachable
    yield


def test_the_cache_is_configured_to_ignore_its_errors_within_half_a_second():
    config = env_cache("NO_SUCH_VARIABLE", "redis://127.0.0.1:6379/0")

    assert config["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert config["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 0.5


def test_people_log_in_read_and_save_with_redis_down(redis_down, personas, client):
    project = factories.ProjectFactory(name="缓存故障时的项目", unit=personas.unit_a)

    response = client.post(
        reverse("login"), {"username": "officer_a", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == personas.officer_a

    listing = client.get(reverse("projects:list"))
    assert listing.status_code == 200
    assert "缓存故障时的项目" in listing.content.decode()

    saved = client.post(
        reverse("projects:edit", args=[project.pk]), form_data(project, name="改名后的项目")
    )
    assert saved.status_code == 302
    assert Project.objects.get(pk=project.pk).name == "改名后的项目"
    detail = client.get(reverse("projects:detail", args=[project.pk]))
    assert "改名后的项目" in detail.content.decode()


def test_an_existing_session_survives_redis_going_down(personas, client, settings, monkeypatch):
    client.post(reverse("login"), {"username": "leader", "password": PASSWORD})
    monkeypatch.setenv("TEST_DOWN_CACHE_URL", CLOSED_PORT)
    settings.CACHES = {"default": env_cache("TEST_DOWN_CACHE_URL", "locmem://")}

    response = client.get(reverse("projects:list"))

    assert response.status_code == 200


def test_the_api_issues_tokens_and_answers_with_redis_down(redis_down, personas, client):
    factories.ProjectFactory(name="接口项目", unit=personas.unit_a)

    token = client.post(
        "/api/v1/auth/token/",
        {"username": "leader", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200
    key = token.json()["token"]

    # The throttles count in the cache; unable to count, they let the caller through.
    for _ in range(3):
        response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "接口项目"


def test_healthz_reports_each_component(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "up", "cache": "up", "broker": "up"}


def test_healthz_reports_the_cache_down_without_failing_the_site(redis_down, client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["cache"] == "down"
    assert response.json()["ok"] is True


def test_healthz_answers_503_when_a_required_component_is_down(redis_down, client, settings):
    settings.READINESS_REQUIRED = ["database", "cache"]

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["ok"] is False


def test_healthz_reports_the_broker_down(broker, client, db):  # noqa: F811
    broker.down()

    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["broker"] == "down"


def test_a_write_made_straight_to_the_database_is_what_the_next_request_shows(personas, login):
    # Nothing is kept between requests: psql, a restore or another system is seen at once.
    project = factories.ProjectFactory(unit=personas.unit_a, name="原来的名称")
    client = login(personas.officer_a)
    page = reverse("projects:detail", args=[project.pk])
    assert "原来的名称" in client.get(page).content.decode()

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project SET name = %s WHERE id = %s", ["直接改的名称", project.pk]
        )

    assert "直接改的名称" in client.get(page).content.decode()

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE org_user SET is_active = %s WHERE id = %s", [False, personas.officer_a.pk]
        )

    response = client.get(page)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
