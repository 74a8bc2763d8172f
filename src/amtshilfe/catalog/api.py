"""The public, read-only catalogue API: search, service, organisation, responsibility."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Query, Router

from amtshilfe.catalog import finder, selectors
from amtshilfe.catalog.schemas import (
    OrganisationOut,
    Problem,
    ResponsibilityOut,
    ServiceHitOut,
    ServiceOut,
)
from amtshilfe.catalog.search import search_services
from amtshilfe.organisations import selectors as organisation_selectors

if TYPE_CHECKING:  # annotations only: the API reads through selectors
    from amtshilfe.catalog.models import Service
    from amtshilfe.organisations.models import Authority, Organisation

router = Router(tags=["catalogue"])
NOT_FOUND = {404: Problem}
#: Stands for a slug in a URL reversed once for many services.
SLUG = "__slug__"


def _service_url(request: HttpRequest, slug: str) -> str:
    return request.build_absolute_uri(reverse("catalog:service", kwargs={"slug": slug}))


@router.get("/services", response=list[ServiceHitOut], summary="Search services")
def search(
    request: HttpRequest,
    q: str = Query(..., max_length=200, description="what the citizen typed"),
    ars: str | None = Query(None, pattern=r"^\d{12}$", description="the citizen's Gemeinde"),
    limit: int = Query(20, ge=1, le=50),
) -> list[dict[str, Any]]:
    language = translation.get_language() or "de"
    # One reverse() for all hits (20 of them cost half of a cached answer's time).
    url = _service_url(request, SLUG)
    return [
        {
            "slug": hit.slug,
            "name": hit.name,
            "short_text": hit.short_text,
            "online_here": hit.online_here,
            "url": url.replace(f"/{SLUG}/", f"/{hit.slug}/"),
        }
        for hit in search_services(q, ars=ars, language=language, limit=limit)
    ]


def _service_out(request: HttpRequest, service: Service) -> dict[str, Any]:
    return {
        "slug": service.slug,
        "leika_key": service.leika_key,
        "name_de": service.name_de,
        "name_en": service.name_en,
        **{
            field: service.localized(field)
            for field in (
                "short_text",
                "full_text",
                "costs",
                "deadlines",
                "processing_time",
                "required_documents",
                "prerequisites",
                "hints",
            )
        },
        "legal_basis": service.legal_basis,
        "typisierung": service.typisierung,
        "ozg_id": service.bundle_id,
        "trust_level": service.trust_level,
        "url": _service_url(request, service.slug),
    }


@router.get("/services/{slug}", response={200: ServiceOut, **NOT_FOUND}, summary="One service")
def service(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _service_out(request, selectors.service_by_slug(slug))


def _organisation_out(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "ars": organisation.region.ars if organisation.region else None,
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "street": organisation.street,
        "postcode": organisation.postcode,
        "city": organisation.city,
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
    }


@router.get(
    "/organisations/{slug}",
    response={200: OrganisationOut, **NOT_FOUND},
    summary="One organisation",
)
def organisation(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _organisation_out(request, organisation_selectors.organisation_by_slug(slug))


def _authority_out(organisation: Organisation, authority: Authority | None) -> dict[str, Any]:
    """An office, or — where the organisation has entered none — the organisation itself."""
    contact = authority or organisation
    return {
        "name": authority.name if authority else "",
        "organisation": organisation.name,
        "organisation_slug": organisation.slug,
        "email": contact.email,
        "phone": contact.phone,
        "street": contact.street,
        "postcode": contact.postcode,
        "city": contact.city,
    }


@router.get(
    "/responsibility",
    response={200: ResponsibilityOut, **NOT_FOUND},
    summary="Who is responsible for a service at a place, and who processes it",
)
def responsibility(
    request: HttpRequest,
    service: str = Query(..., max_length=120, description="service slug"),
    ars: str = Query(..., max_length=12, description="12-digit ARS of the Gemeinde"),
) -> dict[str, Any]:
    found = finder.find_responsibility(service=selectors.service_by_slug(service), ars=ars)
    offering = found.offering
    return {
        "service": found.service.slug,
        "place_ars": found.place.ars,
        "place_name": found.place.name,
        "responsible": _authority_out(found.responsible, found.authority),
        "processing": _authority_out(found.processing, found.processing_authority),
        "delegated": found.delegated,
        "rule_area": found.rule.area,
        "rule_level": found.rule_level,
        "online": bool(offering and offering.is_online),
        "online_url": offering.online_url if offering else "",
    }
