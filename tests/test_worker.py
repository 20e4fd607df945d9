"""A real Celery worker process executes a task sent from this (the web) process.

Runs against whatever broker the settings name: the filesystem transport by default, Redis
when CELERY_BROKER_URL says so (as in CI's second pass).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from jinchang.celery import ping

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    user = db.get("USER") or "postgres"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def start_worker(app: str = "jinchang", pool: str = "solo", **extra_env) -> subprocess.Popen:
    """Start `celery -A <app> worker` on the test database and the test's broker."""
    env = dict(os.environ, DATABASE_URL=_database_url(), CELERY_TASK_ALWAYS_EAGER="0", **extra_env)
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        env["CELERY_FS_BROKER_DIR"] = str(
            Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent
        )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )


@pytest.fixture
def worker():
    """A real worker for the test; stopped afterwards."""
    proc = start_worker()
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_task_sent_from_the_web_process_is_executed_by_the_worker(worker):
    started = time.monotonic()
    result = ping.delay()

    assert result.get(timeout=90) == {"pong": True, "task_id": result.id}
    assert worker.poll() is None, "the worker died"
    assert time.monotonic() - started < 90
