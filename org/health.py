"""What the site depends on, up or down: the database, the shared cache and the Celery broker.

The database is required: without it nothing can be read or saved. The cache only speeds things
up (throttle counts; a failing cache is ignored, see jinchang.env.env_cache) and the broker only
carries background jobs (a job queued while it is down is queued again by the sweeps,
dispatch.services.report_requeue_stuck and ledger.services.job_requeue_stuck), so by default
their loss is reported without taking the site out of a load balancer's rotation.
READINESS_REQUIRED names the ones that are required.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def _cache() -> bool:
    # A round trip rather than a ping: the Redis backend is set to ignore its errors (a get
    # answers None), so only reading back what was just written tells up from down.
    token = secrets.token_hex(8)
    cache.set("health:probe", token, 30)
    return cache.get("health:probe") == token


def _broker() -> bool:
    from jinchang.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    return True


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def component_status() -> dict[str, bool]:
    """{"database": True, "cache": False, "broker": True}: each component's state now."""
    status = {}
    for name, check in CHECKS.items():
        try:
            status[name] = bool(check())
        except Exception:  # any failure of a probe means down; the reason goes to the log
            logger.warning("health check: %s is down", name, exc_info=True)
            status[name] = False
    return status
