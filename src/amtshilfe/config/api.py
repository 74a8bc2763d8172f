"""The platform's HTTP API (django-ninja, OpenAPI 3): one instance, one router per app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.throttling import AnonRateThrottle

from amtshilfe.catalog.api import router as catalog_router
from amtshilfe.core.errors import DomainError, NotFound

#: One limit per client address over the whole API (counted in the default cache).
RATE_LIMIT = AnonRateThrottle(settings.API_RATE_LIMIT)

api = NinjaAPI(
    title="amtshilfe API",
    version="1",
    description="Public, read-only API of the service catalogue (Portalverbund).",
    urls_namespace="api",
    throttle=[RATE_LIMIT],
)
api.add_router("/", catalog_router)

PROBLEM = "application/problem+json"


def problem(request: HttpRequest, *, status: int, title: str, detail: str) -> HttpResponse:
    """An RFC 9457 problem response."""
    return api.create_response(
        request,
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        temporal_response=HttpResponse(content_type=PROBLEM, status=status),
    )


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return problem(request, status=404, title="Not Found", detail=str(exc.message))


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(request, status=400, title="Bad Request", detail=str(exc.message))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = "; ".join(
        f"{'.'.join(str(p) for p in error.get('loc', []))}: {error.get('msg', '')}"
        for error in exc.errors
    )
    return problem(request, status=422, title="Unprocessable Content", detail=fields)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Throttling (429) and other HTTP errors, as problem details too."""
    titles = {429: "Too Many Requests"}
    return problem(
        request,
        status=exc.status_code,
        title=titles.get(exc.status_code, "Error"),
        detail=str(exc),
    )
