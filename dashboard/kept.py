"""Figures kept in the shared cache under the versions of what they read.

A kept value is replaced by a new version, never stale: its key names every version it was
built from (`projects.month_ends.cards_key`, `projects.watch`). The cache is a convenience:
one that fails is logged and skipped, and the figures are built from the data.
"""

import logging
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Only bounds the memory an old version holds.
KEPT_SECONDS = 24 * 3600


def keep(key: str, build: Callable[[], object]):
    """The value kept under `key`, built (and kept) if there is none."""
    try:
        value = cache.get(key)
    except Exception:  # the figures never depend on the cache
        logger.warning("figures cache unavailable", exc_info=True)
        value = None
    if value is None:
        value = build()
        try:
            cache.set(key, value, KEPT_SECONDS)
        except Exception:
            logger.warning("figures cache unavailable", exc_info=True)
    return value
