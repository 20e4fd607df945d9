"""System checks for a deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """The API throttle counts need one cache that every web process shares; a process's own
    memory would give each gunicorn worker its own count."""
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        return [
            checks.Warning(
                "The default cache is this process's memory: each web process would count "
                "API requests against the throttle limits on its own.",
                hint="Set CACHE_URL to redis://… (or file:///… on a single machine).",
                id="jinchang.W001",
            )
        ]
    return []
