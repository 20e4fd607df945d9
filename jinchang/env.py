"""Settings from the environment, failing loudly on a bad value.

Every setting that production may change is read through these helpers, so a typo in a
deployment (DEBUG=flase, a malformed DATABASE_URL) stops the process at start-up with a clear
message instead of silently running with a default.
"""

import os

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    url = os.environ.get(name, default)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name}={url!r} names no supported database engine.")
    if "postgresql" in config["ENGINE"]:
        # A form's select of units or chain links iterates its queryset; on PostgreSQL that
        # is a server-side cursor (DECLARE, FETCH, CLOSE): three round trips for a dozen rows.
        # Nothing here streams a result too large to fetch at once.
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        # A list row joins its project to eight tables (investor, chain, link, place, unit,
        # leader, butler, event). Searching every join order of nine relations took the
        # planner 27-33 ms for a query that runs in 2 ms; planning the joins in groups of four
        # takes 2 ms, with the same plans for these lookups by primary key (EXPLAIN, 10,000
        # projects). The dashboard's aggregates and the report are unchanged (make bench).
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c join_collapse_limit=4".strip()
    return config


def env_email(name: str, default: str) -> dict:
    url = os.environ.get(name, default)
    try:
        return dj_email_url.parse(url)
    except Exception as exc:  # dj-email-url raises several types for a bad URL
        raise ImproperlyConfigured(f"{name} is not a valid email URL: {exc}") from None


def env_cache(name: str, default: str) -> dict:
    """A CACHES entry from a URL: redis://host:port/db, file:///absolute/folder or locmem://."""
    url = os.environ.get(name, default)
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme = ""
    if scheme in ("redis", "rediss"):
        # django-redis rather than Django's own backend: it keeps one Redis client per
        # connection pool, where Django's builds a new one (and its 170 reply handlers) for
        # every call, a third of a kept API answer's time.
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            # The cache is an accelerator, never a dependency: with Redis down a read answers
            # "not cached" and a write is dropped (logged: DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS)
            # after at most half a second, instead of failing the request.
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    if scheme == "file" and rest.startswith("/"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": rest,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest}
    raise ImproperlyConfigured(
        f"{name}={url!r}: use redis://host:port/db, file:///absolute/folder or locmem://."
    )
