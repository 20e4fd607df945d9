import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from jinchang import env


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env.env_bool("X_FLAG", True) is False


def test_env_bool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("X_FLAG", "flase")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_env_int_fails_loudly(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env.env_int("X_NUM", 1)


def test_a_database_url_without_an_engine_fails_loudly(monkeypatch):
    monkeypatch.setenv("X_DB", "nosuchdb://somewhere/x")
    with pytest.raises(ImproperlyConfigured, match="X_DB"):
        env.env_database("X_DB", "sqlite:///x")


def test_a_postgres_url_gives_the_psycopg_backend(monkeypatch):
    monkeypatch.setenv("X_DB", "postgres://u@127.0.0.1:5432/jinchang")
    config = env.env_database("X_DB", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "jinchang"


def test_postgres_connections_plan_joins_in_groups_and_fetch_selects_at_once(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://u@db:5432/j?options=-c%20statement_timeout%3D5000"
    )
    config = env.env_database("DATABASE_URL", "sqlite:///x")
    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert config["OPTIONS"]["options"] == "-c statement_timeout=5000 -c join_collapse_limit=4"


def test_sqlite_keeps_its_own_options(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    config = env.env_database("DATABASE_URL", "sqlite:///x")
    assert "options" not in config.get("OPTIONS", {})
    assert not config.get("DISABLE_SERVER_SIDE_CURSORS")


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.gov.cn, b.gov.cn,")
    assert env.env_list("X_HOSTS", []) == ["a.gov.cn", "b.gov.cn"]


def _manage(*args, **extra_env):
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environ.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_configuration():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-real-long-random-production-secret-9f3e",
        ALLOWED_HOSTS="zs.jinchang.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_of_a_cache_the_processes_do_not_share():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-real-long-random-production-secret-9f3e",
        ALLOWED_HOSTS="zs.jinchang.gov.cn",
        CACHE_URL="locmem://",
    )
    assert result.returncode != 0
    assert "jinchang.W001" in result.stderr + result.stdout


def test_a_bad_debug_value_stops_the_process():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
