"""Staff pages of the catalogue: an organisation's offerings, rules and delegation agreements.

Only for those who may MANAGE the organisation (its municipal admins; operators everywhere).
Other staff of the organisation get 403; anyone else 404, as for a missing organisation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtshilfe.catalog import selectors, services
from amtshilfe.catalog.forms import (
    DelegationForm,
    EndDelegationForm,
    OfferingForm,
    ResponsibilityForm,
    offering_initial,
)
from amtshilfe.core import access
from amtshilfe.core.errors import DomainError, NotFound, PermissionDenied
from amtshilfe.organisations import selectors as org_selectors
from amtshilfe.organisations import services as org_services
from amtshilfe.organisations.errors import OrganisationNotFound

if TYPE_CHECKING:
    from amtshilfe.organisations.models import Organisation


def _managed_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = org_selectors.organisation_by_slug(slug)
    access.require(
        request.user, access.Action.MANAGE, organisation.pk, not_found=OrganisationNotFound
    )
    return organisation


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def offerings(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's offerings; POST adds one or changes the one of the chosen service."""
    organisation = _managed_organisation(request, slug)
    current = selectors.offering_of(
        actor=request.user, organisation=organisation, service_slug=request.GET.get("leistung", "")
    )
    form = OfferingForm(
        _posted(request),
        initial=offering_initial(current),
        services=selectors.services_for_choice(),
        authorities=selectors.own_authorities(actor=request.user, organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        try:
            services.save_offering(
                actor=request.user,
                organisation=organisation,
                service=service,
                **form.offering_data(),
            )
        except NotFound:
            form.add_error("receiving_authority", _("Choose one of the entries in the list."))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("The offering of “%(service)s” was saved.") % {"service": service}
            )
            return redirect("catalog_staff:offerings", organisation.slug)
    return render(
        request,
        "catalog/staff/offerings.html",
        {
            "organisation": organisation,
            "offerings": selectors.offerings_of(actor=request.user, organisation=organisation),
            "form": form,
            "changing": current,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def responsibilities(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's responsibility rules; POST adds one (or changes its authority)."""
    organisation = _managed_organisation(request, slug)
    areas = selectors.area_choices(organisation)
    form = ResponsibilityForm(
        _posted(request),
        services=selectors.services_for_choice(),
        areas=areas,
        authorities=selectors.own_authorities(actor=request.user, organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        try:
            services.save_responsibility(
                actor=request.user,
                organisation=organisation,
                service=service,
                area=form.cleaned_data["area"],
                authority=form.cleaned_data["authority"],
            )
        except PermissionDenied:
            form.add_error(
                "area",
                _(
                    "This area is outside your organisation's region, or another "
                    "organisation already has a rule for this service there."
                ),
            )
        except NotFound:
            form.add_error("authority", _("Choose one of the entries in the list."))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("The responsibility rule for “%(service)s” was saved.") % {"service": service},
            )
            return redirect("catalog_staff:responsibilities", organisation.slug)
    return render(
        request,
        "catalog/staff/responsibilities.html",
        {
            "organisation": organisation,
            "rows": selectors.responsibilities_of(actor=request.user, organisation=organisation),
            "form": form,
            "areas": areas,
        },
    )


@require_POST
@login_required
def delete_responsibility(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    """Delete one of the organisation's responsibility rules."""
    organisation = _managed_organisation(request, slug)
    rule = selectors.responsibility_of(
        actor=request.user, organisation=organisation, rule_id=rule_id
    )
    services.delete_responsibility(actor=request.user, rule=rule)
    messages.success(
        request,
        _("The responsibility rule for “%(service)s” in %(area)s was deleted.")
        % {"service": rule.service, "area": rule.area},
    )
    return redirect("catalog_staff:responsibilities", organisation.slug)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delegations(request: HttpRequest, slug: str) -> HttpResponse:
    """Agreements the organisation gives and takes; POST creates one it gives."""
    organisation = _managed_organisation(request, slug)
    form = DelegationForm(
        _posted(request),
        partners=selectors.delegation_partners(organisation=organisation),
        bundles=selectors.ozg_bundles(),
        services=selectors.delegable_services(),
    )
    if request.method == "POST" and form.is_valid():
        processing = form.cleaned_data["processing"]
        try:
            org_services.create_delegation(
                actor=request.user,
                delegating=organisation,
                processing=processing,
                scope=form.cleaned_data["scope"],
                scope_value=form.scope_value(),
                valid_from=form.cleaned_data["valid_from"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request,
                _("The delegation agreement with %(organisation)s was created.")
                % {"organisation": processing},
            )
            return redirect("catalog_staff:delegations", organisation.slug)
    return render(
        request,
        "catalog/staff/delegations.html",
        {
            "organisation": organisation,
            "given": selectors.delegations_given(actor=request.user, organisation=organisation),
            "taken": selectors.delegations_taken(actor=request.user, organisation=organisation),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def end_delegation(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    """Ask for the last day of an agreement the organisation gives; POST ends it then."""
    organisation = _managed_organisation(request, slug)
    agreement = selectors.delegation_given(
        actor=request.user, organisation=organisation, agreement_id=agreement_id
    )
    form = EndDelegationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            org_services.end_delegation(
                actor=request.user,
                agreement=agreement,
                valid_until=form.cleaned_data["valid_until"],
            )
        except DomainError as exc:
            form.add_error("valid_until", str(exc.message))
        else:
            messages.success(
                request,
                _("The delegation agreement with %(organisation)s was ended.")
                % {"organisation": agreement.processing},
            )
            return redirect("catalog_staff:delegations", organisation.slug)
    return render(
        request,
        "catalog/staff/end_delegation.html",
        {"organisation": organisation, "agreement": agreement, "form": form},
    )
