"""Counting attempts per client address or per account name in a time window.

Logins are throttled by django-axes (settings ``AXES_*``); registration and password reset,
which axes does not cover, count here in the default cache (share it between processes with
``CACHE_URL``). Keys are hashed: neither addresses nor e-mail addresses are stored in clear.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or what the ``PROXY_COUNT`` trusted proxies saw."""
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def exceeded(kind: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt of ``kind`` for ``key``; True once more than ``limit`` fell into the
    current window of ``window`` seconds."""
    digest = hashlib.sha256(f"{kind}:{key.strip().lower()}".encode()).hexdigest()[:32]
    name = f"ratelimit:{kind}:{digest}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count > limit
