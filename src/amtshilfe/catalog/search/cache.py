"""Search results for repeated queries, kept in the default cache for a short while.

Citizens type the same few hundred queries again and again ("Personalausweis",
"Hundesteuer"); a search ranks thousands of services, a cached answer costs two cache reads.
Entries are keyed by a *generation* that :func:`catalogue_changed` moves on after every
committed change of services or offerings, so a change shows at once in every process that
shares the cache (``CACHE_URL``, e.g. Redis). With the embedded default (a cache per
process) other processes may answer from their own copy for up to
``SEARCH_CACHE_SECONDS``. ``SEARCH_CACHE_SECONDS = 0`` switches the cache off.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "catalog:search:generation"
T = TypeVar("T")


def cached(parts: tuple[object, ...], compute: Callable[[], T]) -> T:
    """The cached value for ``parts`` in the current generation, else ``compute()``'s."""
    seconds = getattr(settings, "SEARCH_CACHE_SECONDS", 0)
    if seconds <= 0:
        return compute()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"catalog:search:{_generation()}:{digest}"
    value: T | None = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def catalogue_changed() -> None:
    """Let cached search results go once the current transaction commits (at once outside
    one): called by whatever changes services or offerings."""
    transaction.on_commit(_next_generation)


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh or evicted counter starts from the clock, never from an old number whose
        # entries may still be in the cache.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    return int(generation)


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted): any new value will do
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
