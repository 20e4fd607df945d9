"""The app's settings for the throughput bench: the same app, with bench/urls.py adding the
list API's floor view beside it, so gunicorn serves the API, the floor and /livez/ alike."""

from jinchang.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
