from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from amtshilfe.core import access
from amtshilfe.core import selectors as core_selectors
from amtshilfe.organisations import selectors
from amtshilfe.organisations.errors import OrganisationNotFound

AUDIT_PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The municipalities of Hesse, searchable by name (live with HTMX, plain GET without)."""
    query = request.GET.get("q", "").strip()[:100]
    context = {"query": query, "municipalities": selectors.municipalities(query=query)}
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.history_restore_request:
        response = render(request, "organisations/includes/municipality_results.html", context)
    else:
        response = render(request, "organisations/home.html", context)
    patch_vary_headers(response, ["HX-Request"])  # caches must not mix page and fragment
    return response


def portal(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's own portal front page, under a stable address."""
    organisation = selectors.organisation_by_slug(slug)
    return render(
        request,
        "organisations/portal.html",
        {
            "organisation": organisation,
            "authorities": selectors.public_authorities(organisation),
        },
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The staff member's organisations and roles, with what they may open there."""
    memberships = list(selectors.memberships_of_actor(request.user))
    organisations: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        entry = organisations.setdefault(
            membership.organisation_id,
            {"organisation": membership.organisation, "roles": [], "may_audit": False},
        )
        entry["roles"].append(membership.get_role_display())
    for entry in organisations.values():
        org_id = entry["organisation"].pk
        entry["may_audit"] = access.can(request.user, access.Action.AUDIT, org_id)
        entry["may_view_staff"] = access.can(request.user, access.Action.VIEW, org_id)
    return render(
        request, "organisations/dashboard.html", {"organisations": list(organisations.values())}
    )


@login_required
def staff(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_by_slug(slug)
    access.require(
        request.user, access.Action.VIEW, organisation.pk, not_found=OrganisationNotFound
    )
    members = selectors.staff_of(actor=request.user, organisation_id=organisation.pk)
    return render(
        request, "organisations/staff.html", {"organisation": organisation, "members": members}
    )


@login_required
def audit_trail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_by_slug(slug)
    access.require(
        request.user, access.Action.AUDIT, organisation.pk, not_found=OrganisationNotFound
    )
    entries = core_selectors.audit_entries(actor=request.user, organisation_id=organisation.pk)
    before = request.GET.get("vor", "")
    if before.isdigit():
        entries = entries.filter(pk__lt=int(before))
    page = list(entries.order_by("-pk")[: AUDIT_PAGE_SIZE + 1])
    return render(
        request,
        "organisations/audit.html",
        {
            "organisation": organisation,
            "entries": page[:AUDIT_PAGE_SIZE],
            "next_before": page[AUDIT_PAGE_SIZE - 1].pk if len(page) > AUDIT_PAGE_SIZE else None,
        },
    )
