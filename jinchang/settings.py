"""Settings for the Jinchang investment-project tracking system.

Embedded defaults (SQLite under var/, Celery on kombu's filesystem transport under var/) make a
fresh clone run with nothing but Python; production sets DATABASE_URL (PostgreSQL) and
CELERY_BROKER_URL (Redis) and the rest through the environment (see README, "Production").
"""

import datetime
import sys
from pathlib import Path

from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from jinchang.env import (
    env_bool,
    env_cache,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JINCHANG_VAR_DIR", str(BASE_DIR / "var")))

# pytest imports itself before Django loads settings; tests render templates without running
# collectstatic, so they must not use the manifest storage.
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DEBUG", False)
# The insecure default is for a laptop; `manage.py check --deploy` flags it (security.W009).
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-local-only-jinchang-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens, hashed and expiring (api/auth.py; issue #18)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_celery_results",
    "axes",
    "simple_history",
    "org",
    "projects",
    "chains",
    "dashboard",
    "dispatch",
    "ledger",
    "api",
    "audit",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Issue #18: the Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Chinese unless the language switch chose otherwise; the browser's language is not asked.
    "jinchang.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue #18: signed-in pages and the API are never stored by a cache (org/middleware.py).
    "org.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Issue #18 (等保): an idle session ends; an admin-set password is changed first.
    "org.middleware.IdleTimeoutMiddleware",
    "org.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jinchang.urls"
WSGI_APPLICATION = "jinchang.wsgi.application"
ASGI_APPLICATION = "jinchang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "org.context_processors.site",
            ],
            "builtins": ["projects.templatetags.jc"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jinchang.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the Celery worker writes; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].pop("CONN_HEALTH_CHECKS", None)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not :memory:) so that a real Celery worker started by a test sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process (web workers, the Celery worker): the API throttle counts. Redis in
# production; files under var/ in the embedded setup; the test process's memory in tests
# unless CACHE_URL is given (CI's PostgreSQL pass uses Redis).
CACHES = {
    "default": env_cache(
        "CACHE_URL", "locmem://tests" if TESTING else f"file://{VAR_DIR / 'cache'}"
    )
}
# Sessions live in the database alone (issue #18): one primary-key query per request, and a
# Redis outage or flush never signs anyone out or fails a login. (cached_db with the cache's
# errors ignored would survive an outage too, but a logout or password change made while the
# cache was unreachable would leave the old session in it, valid again once it is back.)
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Tests create many users; the real hashers are slow on purpose.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins: 5 failures per username and address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Language, time, formats -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# An unselected filter reads "全部", not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("全部")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
_manifest = env_bool("STATIC_MANIFEST", not DEBUG and not TESTING)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _manifest
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email -----------------------------------------------------------------------------------
_email = env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "金昌市招商引资项目管理系统 <noreply@localhost>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# A demo install (`make run`) says so on every page: its people and many values are illustrative.
DEMO_INSTALL = env_bool("DEMO_INSTALL", False)

# --- Celery ----------------------------------------------------------------------------------
# Tests use their own folder so that a running `make run` worker never takes a test's task.
_broker_dir = Path(
    env_str("CELERY_FS_BROKER_DIR", str(VAR_DIR / ("test-broker" if TESTING else "broker")))
)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder in and out: the web process and the worker share the same queue.
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "default"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker child that grew past this (KiB, resident) is replaced after its task: memory an
# oversized upload took is given back (issue #18). The ledger tasks have their own time limits.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Saving data never waits on the broker: a send that cannot connect fails fast and is logged.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "api.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "6000/min"},
    # The services' domain errors (conflict, validation, not found) as HTTP answers, for
    # every API view.
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "金昌市招商引资项目管理系统 API",
    "DESCRIPTION": "Projects, the color card, monthly progress, chains, dashboard and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page are for signed-in users and token holders only: they name
    # every field of the bureau's data.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security (production: DEBUG=0) ----------------------------------------------------------
# HTTPS on by default outside development and tests, so `check --deploy` is clean; a plain-HTTP
# install (the laptop demo, an intranet without TLS) sets HTTPS=0.
HTTPS = env_bool("HTTPS", not DEBUG and not TESTING)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Resilience (issue #18) ------------------------------------------------------------------
# A Redis error that django-redis ignores (IGNORE_EXCEPTIONS, see jinchang.env.env_cache) is
# still logged, so monitoring sees the outage.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# /healthz/ answers 503 when one of these is down; the cache and the broker are reported but not
# required (the site works without them and the job sweep catches up on the broker's outage).
READINESS_REQUIRED = env_list("READINESS_REQUIRED", ["database"])
if not set(READINESS_REQUIRED) <= {"database", "cache", "broker"}:
    raise ImproperlyConfigured(
        f"READINESS_REQUIRED={READINESS_REQUIRED!r}: name database, cache and/or broker."
    )
# Background jobs survive killed workers and broker outages. CELERY_TASK_ACKS_LATE (above)
# leaves a task's message on the broker until the task ends; reject_on_worker_lost hands it
# back at once when a pool child dies (OOM, kill -9) instead of acknowledging it as failed. A
# report or import silent for JOB_STALLED_AFTER_MINUTES is queued again by the sweep (beat,
# every 5 minutes; jinchang/jobs.py); one started and still dying after
# JOB_GIVE_UP_AFTER_MINUTES is marked failed with a message.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
JOB_STALLED_AFTER_MINUTES = env_int("JOB_STALLED_AFTER_MINUTES", 10)
JOB_GIVE_UP_AFTER_MINUTES = env_int("JOB_GIVE_UP_AFTER_MINUTES", 60)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis gives an unacknowledged message to another worker after this many seconds: longer
    # than any task runs, or a slow task would run twice (harmless, the claims keep one result,
    # but wasted). A message of a worker killed outright waits this long, or the sweep.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# --- Security hardening (issue #18) -----------------------------------------------------------
# API tokens (django-rest-knox): hashed, valid API_TOKEN_TTL_HOURS (default 7 days), a new one
# per request for a token; sent as `Authorization: Token <token>` as before.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=env_int("API_TOKEN_TTL_HOURS", 24 * 7)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Content-Security-Policy (django-csp): scripts, fonts, images and requests from this site only,
# no inline script (page behaviours live in static/js), no framing. Inline styles stay allowed:
# the templates' style attributes and ECharts' tooltips use them, and they run no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Failed logins: besides 5 per username and address (AXES_FAILURE_LIMIT above), 20 from one
# address over all usernames lock that address out for the cool-off (org/lockout.py).
AXES_HANDLER = "org.lockout.AddressAwareAxesHandler"
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 20)

# --- 等保2.0 三级 (issue #18 item 7) -------------------------------------------------------------
# The audit trail (audit/) keeps logins and data changes at least 180 days; the daily pruning
# task removes only what is older than this.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS}: the audit trail is kept 180 days or more."
    )
# Passwords: at least 10 characters of three kinds (lower, upper, digit, symbol), on top of the
# validators above; an account an admin creates or resets changes its password at first login
# (org/middleware.py); a password change ends the API tokens issued before it (api/auth.py).
AUTH_PASSWORD_VALIDATORS = [
    *AUTH_PASSWORD_VALIDATORS[:1],
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    *AUTH_PASSWORD_VALIDATORS[2:],
    {"NAME": "org.passwords.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
]
# A session idle this long ends (the cookie and the session row expire with it); activity
# renews it at most once a minute (org/middleware.py).
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
