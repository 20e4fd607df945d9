"""Read pages and API answers kept in the shared cache until the data changes.

Leaders reopen the same dashboard and lists many times between two changes of the data, and
integrations page through the same lists; building those answers is most of their time
(rendering, serialising), not SQL. So a page is kept, rendered, in the cache and served again
while the data it was built from is unchanged.

How a kept page knows it is out of date:
1. The *data version* is a random token in the shared cache (Redis in production, files under
   var/ in the embedded setup), so every web process and the Celery worker see the same one.
2. Every statement that writes a table of the data (ORM save, QuerySet.update, bulk_create,
   raw SQL) passes through one execute wrapper installed on each database connection
   (`install`); it replaces the token. No service has to remember to do it, and the bulk
   UPDATEs of the nightly warnings or a worker's report status count like any other write.
3. Inside a transaction the token is replaced after the commit, not before: until then a
   reader sees the old rows, and what it keeps under the old token is never served again.
4. A kept page records the token it was built under, and is served only while that token is
   current. The key holds whoever asked (browser session and CSRF cookie, or API token), the
   language, the date (a page's "overdue" and "this month" are as of today), the full URL and
   the htmx headers; a page older than `TIMEOUT` is built again in any case.
5. A kept answer is served before the user is loaded: the session must still belong to the
   user it was built for (logout and expiry remove it from the session store), and any change
   to a user, their roles or an API token is a write, which has replaced the token.

Only GET answers with status 200 are kept, never while the user has a message waiting to be
shown, and never a download. A fresh or emptied cache starts with a new random token, so a
page stored before can never be taken for current.
"""

import hashlib
import logging
import secrets
import threading
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core import checks
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation

VERSION_KEY = "datacache:version"
TIMEOUT = 300  # seconds; bounds "3 days ago"-style text that ages without a write
MAX_KEPT_BYTES = 2 * 1024 * 1024  # the board at 10,000 projects is 175 KB

# Tables whose writes change nothing a cached page shows: sessions (a kept page checks its
# session itself), login throttling, Celery's own bookkeeping and the admin's log. API tokens
# are not among them: a kept answer to a token trusts that the token has not changed since.
IGNORED_TABLE_PREFIXES = (
    "django_session",
    "axes_",
    "django_celery_results_",
    "django_celery_beat_",
    "django_admin_log",
)
# Statements that change no data. Anything else counts as a write, including what this list
# does not foresee (a CTE, MERGE, COPY, a function call): an extra rebuild is cheap, a page
# served stale is not.
READ_VERBS = (
    "SELECT",
    "SHOW",
    "EXPLAIN",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "BEGIN",
    "COMMIT",
    "SET",
    "PRAGMA",
    "ANALYZE",
    "DECLARE",
    "FETCH",
    "CLOSE",
    "VALUES",
)
# A login stamps the user's last_login; no page shows it, and every login would otherwise
# rebuild every page for everyone.
LAST_LOGIN_STAMP = 'UPDATE "org_user" SET "last_login" = %s WHERE'

logger = logging.getLogger(__name__)


# --- the data version ---------------------------------------------------------------------


def current_version() -> str | None:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)  # add: concurrent starters agree
        version = cache.get(VERSION_KEY)
    return version


def bump(**kwargs) -> None:
    """Every kept page is out of date from now on. (Also a post_migrate receiver: a deploy
    runs migrate, and its templates or static files may differ.)

    A cache that refuses the write is logged, not raised: the data is committed by then, and
    the person saving it must not get an error page for it."""
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
    except Exception:
        logger.exception("The data version could not be replaced; kept pages may be stale.")


def _skip_comments(sql: str) -> str:
    sql = sql.lstrip()
    while sql.startswith(("--", "/*")):
        end = sql.find("\n") + 1 if sql.startswith("--") else sql.find("*/") + 2
        if end <= 1:
            return ""
        sql = sql[end:].lstrip()
    return sql


def _writes_data(sql: str) -> bool:
    sql = _skip_comments(sql)
    verb = sql[:10].split(None, 1)[0].upper() if sql else ""
    if verb.rstrip(";") in READ_VERBS or sql.startswith(LAST_LOGIN_STAMP):
        return False
    if verb in ("INSERT", "UPDATE", "DELETE"):
        # Django quotes the one table it writes first: INSERT INTO "t", UPDATE "t", DELETE
        # FROM "t". (TRUNCATE may name several tables, so it always counts.)
        parts = sql.split('"', 2)
        if len(parts) == 3 and parts[1].startswith(IGNORED_TABLE_PREFIXES):
            return False
    return True


def _after_write(connection) -> None:
    if not connection.in_atomic_block:
        bump()  # autocommit: the statement is committed already
        return
    if settings.DATACACHE_BUMP_EACH_WRITE:
        # The test suite runs every test in a transaction that never commits; it sees its
        # own writes at once, as it would after a commit.
        bump()
    # Once per transaction (a savepoint rolled back takes its callback with it and the next
    # write registers again): an Excel import of 10,000 rows replaces the token once.
    if not any(hook[1] is bump for hook in connection.run_on_commit):
        transaction.on_commit(bump, using=connection.alias, robust=True)


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _writes_data(sql):
        _after_write(context["connection"])
    return result


def install(sender, connection, **kwargs) -> None:
    """connection_created receiver: watch the new connection's writes."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """`check --deploy`: the data version, kept pages and sessions need one cache that every
    web process and the Celery worker share; a process's own memory is not."""
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        return [
            checks.Warning(
                "The default cache is this process's memory: a write made by another web "
                "process or the Celery worker would not invalidate the pages this one keeps.",
                hint="Set CACHE_URL to redis://… (or file:///… on a single machine).",
                id="jinchang.W001",
            )
        ]
    return []


# --- kept answers -------------------------------------------------------------------------


def _key(*parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"datacache:page:{digest}"


def _asker(request, *, api: bool) -> str | None:
    """Who asks, as far as a kept answer is concerned; None: build the answer (anonymous, or
    a browser without its CSRF cookie yet)."""
    if api:
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "token" and token:
            # A token's answers were built after DRF accepted it; revoking the token or
            # changing its user is a write, so they are never served after that.
            return f"token:{token.strip()}"
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    # A page carries a CSRF token that must match the browser's cookie.
    if session and csrf:
        return f"session:{session}:{csrf}"
    return None


def _still_signed_in(request, asker: str, entry) -> bool:
    if asker.startswith("token:"):
        return True
    # A logged-out or expired session is gone from the session store (the cache, then the
    # database: SESSION_ENGINE cached_db); a password change also changes the session's hash.
    # Anything else that changes the user is a write.
    session = request.session
    return (session.get(SESSION_KEY), session.get(HASH_SESSION_KEY)) == (
        entry["user"],
        entry["hash"],
    )


class _Recent:
    """This process's copies of the answers it served last, so that serving one again asks the
    shared cache only for the version (a few bytes) rather than the whole answer (tens of
    kilobytes): a third of a kept API answer's time. Checked against the version like the
    shared copies, and dropped when the shared copy expires."""

    SIZE = 64

    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()  # gunicorn's threaded workers share it

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry["expires"] < time.time():
            return None
        return entry

    def put(self, key: str, entry) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = entry
            while len(self._entries) > self.SIZE:
                del self._entries[next(iter(self._entries))]  # the oldest


_recent = _Recent()


def _lookup(key: str):
    """The current version and the kept answer under `key` if it was built under it."""
    entry = _recent.get(key)
    if entry is not None:
        version = cache.get(VERSION_KEY) or current_version()
        if version is not None and entry["version"] == version:
            return version, entry
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or current_version()
    entry = found.get(key)
    if version is not None and entry and entry["version"] == version:
        _recent.put(key, entry)
        return version, entry
    return version, None


def _keep(key: str, version: str | None, request, response) -> None:
    user = getattr(request, "user", None)
    if version is None or response.status_code != 200 or response.streaming:
        return
    if response.cookies or getattr(request, "session", None) and request.session.modified:
        return  # the answer set a cookie or changed the session: build it every time
    if response.has_header("Content-Disposition") or not (user and user.is_authenticated):
        return  # a download, or not built for a signed-in user
    if len(response.content) > MAX_KEPT_BYTES:
        return
    entry = {
        "version": version,
        "expires": time.time() + TIMEOUT,
        "user": str(user.pk),
        "hash": request.session.get(HASH_SESSION_KEY) if hasattr(request, "session") else None,
        "content": response.content,
        "headers": {
            name: response[name]
            for name in ("Content-Type", "Vary", "Allow")
            if response.has_header(name)
        },
    }
    try:
        cache.set(key, entry, TIMEOUT)
    except Exception:  # a full or unreachable cache: the page was built, show it
        logger.warning("A page could not be kept in the cache.", exc_info=True)
        return
    _recent.put(key, entry)


def _replay(entry) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"].items():
        response[name] = value
    return response


def respond(request, build, *, api: bool = False):
    """The kept answer to this GET if it is current, else `build()`'s (kept when it can be)."""
    asker = _asker(request, api=api) if request.method == "GET" else None
    if asker is None:
        return build()
    key = _key(
        asker,
        translation.get_language(),
        timezone.localdate(),
        # The host as sent (pagination links name it; a host not allowed is refused while
        # building, and nothing is kept), the path and query; META rather than
        # request.headers, which parses every header on first use.
        request.scheme,
        request.META.get("HTTP_HOST", ""),
        request.get_full_path(),
        request.META.get("HTTP_ACCEPT", "") if api else "",
        request.META.get("HTTP_HX_REQUEST", ""),
        request.META.get("HTTP_HX_TARGET", ""),
    )
    version, entry = _lookup(key)
    # A message waiting to be shown is shown by a built page.
    waiting = not api and len(messages.get_messages(request))
    if entry is not None and not waiting and _still_signed_in(request, asker, entry):
        return _replay(entry)
    response = build()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    renderer = getattr(response, "accepted_renderer", None)
    if waiting or (api and getattr(renderer, "format", None) != "json"):
        return response  # the browsable API's HTML holds a CSRF token and forms: not kept
    _keep(key, version, request, response)
    return response


def cached_page(view):
    """For a read-only HTML view, outside its login check (a kept page skips loading the user:
    the session is checked, and any change to the user is a write)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return respond(request, lambda: view(request, *args, **kwargs))

    return wrapped


class CachedReads:
    """For a DRF view: GET lists, objects and plain GET views answered from the cache until the
    data changes, before authentication (a token's kept answers skip the database)."""

    def dispatch(self, request, *args, **kwargs):
        # A viewset's action is known from its method map before DRF sets `self.action`;
        # a plain APIView has no map and is read-only where this class is used.
        actions = getattr(self, "action_map", None)
        action = actions.get(request.method.lower()) if actions is not None else None
        if action not in (None, "list", "retrieve"):
            return super().dispatch(request, *args, **kwargs)
        return respond(
            request, lambda: super(CachedReads, self).dispatch(request, *args, **kwargs), api=True
        )
