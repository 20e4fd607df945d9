"""Shared fixtures: the personas every permission test uses, and Celery run in-process.

Personas (as in healthchecks' BaseTestCase): an officer of unit A, an officer of unit B, a
leader, an admin, an auditor (审计员, reads the audit trail only), and the anonymous client.
"""

from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from jinchang.celery import app as celery_app
from tests import factories
from tests.ledger_files import TODAY as LEDGER_DAY
from tests.ledger_files import reference_data


@pytest.fixture(autouse=True)
def empty_cache():
    """Kept figures and throttle counts outlive a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a request with the language cookie set
    activates its language for the thread, which would outlive the test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Tasks run in the test's own process, except in tests that start a real worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def personas(db):
    unit_a = factories.UnitFactory(name="甲单位", short_name="甲单位")
    unit_b = factories.UnitFactory(name="乙单位", short_name="乙单位")
    return SimpleNamespace(
        unit_a=unit_a,
        unit_b=unit_b,
        officer_a=factories.OfficerFactory(username="officer_a", unit=unit_a),
        officer_b=factories.OfficerFactory(username="officer_b", unit=unit_b),
        leader=factories.LeaderFactory(username="leader"),
        admin=factories.AdminFactory(username="admin_user", unit=unit_a),
        auditor=factories.AuditorFactory(username="auditor"),
    )


@pytest.fixture
def login(client):
    """Log a persona in: `login(personas.officer_a)` returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- the Excel ledger tests (tests/ledger_files.py builds their workbooks) ------------------


@pytest.fixture
def ledger_day(settings, tmp_path):
    """The ledger tests' world: the day the workbooks are dated, uploads in a temporary
    folder, and a fast hasher for the personas' passwords."""
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(LEDGER_DAY, tick=False):
        yield


@pytest.fixture
def refs(personas):
    """The units, places, chains, leader and investor the ledger rows name."""
    return reference_data(personas)
