"""Kept pages and API answers (jinchang/datacache.py): served again while the data is unchanged,
never after any write, never to someone else."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from jinchang import datacache
from jinchang.env import env_cache
from projects import services
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(personas):
    return factories.ProjectFactory(
        name="镍钴新材料项目", unit=personas.unit_a, total_investment=Decimal(8000)
    )


def warm(client, url):
    """The first GET sets the CSRF cookie, the second is built and kept, the third is kept."""
    client.get(url)
    return client.get(url)


def test_a_page_asked_again_is_served_without_building_it(
    login, personas, project, django_assert_num_queries
):
    client = login(personas.officer_a)
    url = reverse("projects:detail", args=[project.pk])
    first = warm(client, url)

    # None: the session comes from the cache, the user is not loaded (any change to them would
    # have been a write), no rows, no rendering.
    with django_assert_num_queries(0):
        again = client.get(url)

    assert again.status_code == 200
    assert again.content == first.content


def test_any_write_through_a_service_shows_on_the_next_request(login, personas, project):
    client = login(personas.officer_a)
    url = reverse("projects:detail", args=[project.pk])
    warm(client, url)

    services.project_update(
        user=personas.officer_a,
        project_id=project.pk,
        version=project.version,
        name="镍钴新材料二期项目",
    )

    assert "镍钴新材料二期项目" in client.get(url).content.decode()


def test_a_bulk_update_and_raw_sql_invalidate_too(login, personas, project):
    client = login(personas.officer_a)
    url = reverse("projects:list")
    warm(client, url)

    Project.objects.filter(pk=project.pk).update(name="批量改名项目")
    assert "批量改名项目" in client.get(url).content.decode()

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project SET name = %s WHERE id = %s", ["直接改名项目", project.pk]
        )
    assert "直接改名项目" in client.get(url).content.decode()


def test_one_users_kept_page_is_never_served_to_another(client, personas, project):
    url = reverse("projects:detail", args=[project.pk])
    edit = reverse("projects:edit", args=[project.pk])
    client.force_login(personas.officer_a)
    assert edit in warm(client, url).content.decode()  # officer A may edit their project

    client.force_login(personas.officer_b)  # a new session

    assert edit not in warm(client, url).content.decode()


def test_a_signed_out_session_is_not_served_what_it_was_shown(login, personas, project):
    client = login(personas.officer_a)
    url = reverse("projects:detail", args=[project.pk])
    warm(client, url)
    # The cookies as someone who copied them would keep them.
    stolen = {morsel.key: morsel.value for morsel in client.cookies.values()}

    client.post(reverse("logout"))
    for name, value in stolen.items():
        client.cookies[name] = value

    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_revoked_token_is_refused_at_once(client, personas, project):
    token = Token.objects.create(user=personas.officer_a)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/projects/", **auth).status_code == 200
    assert client.get("/api/v1/projects/", **auth).status_code == 200

    token.delete()

    assert client.get("/api/v1/projects/", **auth).status_code == 401


def test_a_message_waiting_is_shown_rather_than_the_kept_page(login, personas, project):
    client = login(personas.officer_a)
    url = reverse("projects:detail", args=[project.pk])
    warm(client, url)

    response = client.post(
        reverse("projects:problem_add", args=[project.pk]),
        {
            "category": "land",
            "description": "用地指标未落实",
            "unit": personas.unit_a.pk,
            "deadline": "2099-12-31",
        },
        follow=True,
    )

    assert response.redirect_chain, response.content.decode()[:500]
    messages = [str(m) for m in response.context["messages"]]
    assert messages and messages[0] in response.content.decode()


def test_a_role_change_is_seen_at_once(client, personas, project):
    url = reverse("projects:list")
    client.force_login(personas.officer_a)
    assert warm(client, url).status_code == 200

    personas.officer_a.groups.clear()

    assert client.get(url).status_code == 403


def test_a_login_or_session_write_keeps_the_pages(client, personas):
    personas.officer_a.set_password("pw-for-this-test-1")
    personas.officer_a.save()
    before = datacache.current_version()

    response = client.post(
        reverse("login"), {"username": "officer_a", "password": "pw-for-this-test-1"}
    )
    assert response.status_code == 302  # signed in: last_login stamped, a session saved
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )

    assert datacache.current_version() == before
    factories.EventFactory()
    assert datacache.current_version() != before


@pytest.mark.parametrize(
    "sql, writes",
    [
        ('SELECT "projects_project"."id" FROM "projects_project"', False),
        ("SAVEPOINT s1", False),
        ("PRAGMA journal_mode=WAL", False),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('UPDATE "org_user" SET "last_login" = %s WHERE "org_user"."id" = %s', False),
        ('UPDATE "org_user" SET "last_login" = %s, "is_active" = %s WHERE', True),
        ('INSERT INTO "projects_event" ("name") VALUES (%s)', True),
        ("/* a note */ UPDATE projects_project SET name = 'x'", True),
        ("-- a note\nDELETE FROM projects_problem", True),
        ("WITH moved AS (UPDATE projects_project SET stage = 'green') SELECT 1", True),
        ('TRUNCATE "axes_accessattempt", "projects_project"', True),
        ("COPY projects_project FROM STDIN", True),
    ],
)
def test_what_counts_as_a_write(sql, writes):
    assert datacache._writes_data(sql) is writes


def test_a_cache_that_refuses_the_new_version_does_not_fail_the_save(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(datacache.cache, "set", refuse)

    event = factories.EventFactory(name="照常保存的活动")

    assert event.pk
    assert "could not be replaced" in caplog.text


def test_a_deploy_migrate_starts_a_new_version():
    before = datacache.current_version()
    emit_post_migrate_signal(0, False, "default")
    assert datacache.current_version() != before


@pytest.mark.django_db(transaction=True)
def test_in_a_committed_transaction_the_version_changes_once_after_the_commit(
    settings, monkeypatch
):
    settings.DATACACHE_BUMP_EACH_WRITE = False  # as in production
    bumps = []
    real_bump = datacache.bump
    monkeypatch.setattr(datacache, "bump", lambda: (bumps.append(1), real_bump()))
    before = datacache.current_version()

    with transaction.atomic():
        for i in range(5):
            factories.EventFactory(name=f"招商活动{i}")
        # Not yet: a reader now reads the old rows, and may keep them under `before`.
        assert datacache.current_version() == before

    assert len(bumps) == 1
    assert datacache.current_version() != before

    factories.EventFactory(name="自动提交")  # outside a transaction: at once
    assert len(bumps) == 2


def test_an_emptied_cache_starts_a_version_no_kept_page_was_built_under(login, personas, project):
    client = login(personas.officer_a)
    url = reverse("projects:detail", args=[project.pk])
    warm(client, url)

    datacache.cache.delete(datacache.VERSION_KEY)  # Redis restarted, or the key was evicted

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) > 2  # built again


def test_an_api_list_asked_again_costs_only_the_token(
    client, personas, project, django_assert_num_queries
):
    token = Token.objects.create(user=personas.officer_a)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    url = "/api/v1/projects/?page_size=10"
    first = client.get(url, **auth)

    # None: the answer was built after DRF accepted this token, and revoking it is a write.
    with django_assert_num_queries(0):
        again = client.get(url, **auth)
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"

    services.project_update(
        user=personas.officer_a,
        project_id=project.pk,
        version=project.version,
        name="接口改名项目",
    )
    assert client.get(url, **auth).json()["results"][0]["name"] == "接口改名项目"


def test_api_answers_are_kept_per_user(client, personas, project):
    url = f"/api/v1/projects/{project.pk}/"
    for user in (personas.officer_a, personas.leader):
        token = Token.objects.create(user=user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
        assert len(queries) > 2, user  # built for this user, not taken from the other's


def test_a_download_or_an_error_is_never_kept(personas):
    download = HttpResponse(b"PK", content_type="application/zip")
    download["Content-Disposition"] = 'attachment; filename="a.xlsx"'
    request = RequestFactory().get("/")
    request.user = personas.officer_a
    datacache._keep("datacache:test:download", "v1", request, download)
    datacache._keep("datacache:test:error", "v1", request, HttpResponse(b"x", status=400))

    assert datacache.cache.get("datacache:test:download") is None
    assert datacache.cache.get("datacache:test:error") is None


@pytest.mark.parametrize(
    "url, backend",
    [
        ("redis://127.0.0.1:6379/3", "django_redis.cache.RedisCache"),
        ("file:///var/cache/jinchang", "filebased.FileBasedCache"),
        ("locmem://x", "locmem.LocMemCache"),
    ],
)
def test_the_cache_comes_from_a_url(monkeypatch, url, backend):
    monkeypatch.setenv("CACHE_URL", url)
    assert env_cache("CACHE_URL", "locmem://").get("BACKEND").endswith(backend)


@pytest.mark.parametrize("url", ["memcached://x", "file://relative/path", "redis"])
def test_a_bad_cache_url_stops_the_start(monkeypatch, url):
    monkeypatch.setenv("CACHE_URL", url)
    with pytest.raises(ImproperlyConfigured):
        env_cache("CACHE_URL", "locmem://")


def test_the_embedded_setup_keeps_pages_in_files_shared_by_its_processes(
    settings, tmp_path, login, personas, project, django_assert_num_queries
):
    settings.CACHES = {"default": env_cache("X", f"file://{tmp_path}")}
    client = login(personas.officer_a)
    url = reverse("projects:detail", args=[project.pk])
    warm(client, url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    assert any(tmp_path.iterdir())

    Project.objects.filter(pk=project.pk).update(name="文件缓存改名项目")
    assert "文件缓存改名项目" in client.get(url).content.decode()
