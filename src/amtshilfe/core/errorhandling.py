"""Domain errors become proper error pages: never a bare 500 for a missing object."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults

from amtshilfe.core import errors


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, errors.NotFound):
            return defaults.page_not_found(request, Http404(str(exception.message)))
        if isinstance(exception, errors.PermissionDenied):
            return defaults.permission_denied(request, exception)
        return None
