"""Search backends, chosen by the database in use or by the ``SEARCH_BACKEND`` setting."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils.module_loading import import_string

from amtshilfe.catalog.search.backends.base import Ranked, SearchBackend

BACKENDS = {
    "sqlite": "amtshilfe.catalog.search.backends.sqlite.SQLiteBackend",
    "postgresql": "amtshilfe.catalog.search.backends.postgresql.PostgresBackend",
}

__all__ = ["BACKENDS", "Ranked", "SearchBackend", "get_backend"]


def get_backend() -> SearchBackend:
    """The backend named by ``settings.SEARCH_BACKEND`` (a key of BACKENDS or a dotted path),
    else the one for ``connection.vendor``."""
    name = getattr(settings, "SEARCH_BACKEND", None) or connection.vendor
    return _load(BACKENDS.get(name, name))


@cache
def _load(path: str) -> SearchBackend:
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"No search backend {path!r}; choose one of {', '.join(BACKENDS)}."
        ) from exc
    backend = backend_class()
    if not isinstance(backend, SearchBackend):
        raise ImproperlyConfigured(f"{path} is not a SearchBackend.")
    return backend
