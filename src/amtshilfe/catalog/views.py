from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from amtshilfe.catalog import finder, selectors
from amtshilfe.catalog.search import search_services
from amtshilfe.core.errors import NotFound
from amtshilfe.organisations.selectors import public_authorities

MAX_QUERY = 200


def search(request: HttpRequest) -> HttpResponse:
    """Service search: works as a plain GET form; htmx swaps in the results live."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    ars = request.GET.get("ars", "").strip()[:12] or None
    hits = search_services(query, ars=ars, language=translation.get_language() or "de")
    context = {"query": query, "ars": ars or "", "hits": hits}
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.history_restore_request:
        response = render(request, "catalog/includes/search_results.html", context)
    else:
        response = render(request, "catalog/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A service, and — once the citizen says where they live — who is responsible there."""
    service = selectors.service_by_slug(slug)
    place_query = request.GET.get("ort", "").strip()[:100]
    ars = request.GET.get("ars", "").strip()[:12]
    finding = problem = None
    candidates = []
    if not ars and place_query:
        choice = selectors.resolve_place(place_query)
        candidates = choice.candidates
        ars = choice.region.ars if choice.region else ""
        if not ars and not candidates:
            problem = finder.PlaceNameUnknown().message
    if ars:
        try:
            finding = finder.find_responsibility(service=service, ars=ars)
        except NotFound as exc:
            problem = exc.message
    context = {
        "service": service,
        "short_text": service.localized("short_text"),
        "full_text": service.localized("full_text"),
        "details": [
            (_("Costs"), service.localized("costs")),
            (_("Deadlines"), service.localized("deadlines")),
            (_("Processing time"), service.localized("processing_time")),
            (_("Required documents"), service.localized("required_documents")),
            (_("Prerequisites"), service.localized("prerequisites")),
            (_("Hints"), service.localized("hints")),
            (_("Legal basis"), service.legal_basis),
        ],
        "place_query": place_query,
        "candidates": candidates,
        "finding": finding,
        "problem": problem,
        "area": selectors.area_region(finding) if finding else None,
        "authorities": (
            public_authorities(finding.processing).filter(pk=finding.processing_authority.pk)
            if finding and finding.processing_authority
            else []
        ),
    }
    return render(request, "catalog/service_detail.html", context)
