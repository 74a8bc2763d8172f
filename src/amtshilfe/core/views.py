"""Health endpoints for load balancers and monitoring."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from amtshilfe.core import selectors


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and a background worker has shown a recent sign of life."""
    database = selectors.database_reachable()
    worker = database and selectors.worker_alive()
    ready = database and worker
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {"database": database, "worker": worker},
        },
        status=200 if ready else 503,
    )
