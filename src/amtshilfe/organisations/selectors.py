"""Reads of organisations. Master data is public; staff data goes through core.access."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from amtshilfe.core import access
from amtshilfe.core.access import DelegatedGrant, DelegationScope
from amtshilfe.core.text import fold
from amtshilfe.organisations.errors import OrganisationNotFound
from amtshilfe.organisations.models import (
    Authority,
    DelegationAgreement,
    Membership,
    Organisation,
    OrganisationKind,
)

MUNICIPAL_KINDS = (
    OrganisationKind.GEMEINDE,
    OrganisationKind.STADT,
    OrganisationKind.KREISFREIE_STADT,
)


def organisation_by_slug(slug: str) -> Organisation:
    """An active organisation's public record, or :class:`OrganisationNotFound`."""
    organisation = (
        Organisation.objects.select_related("region__parent")
        .filter(slug=slug, is_active=True)
        .first()
    )
    if organisation is None:
        raise OrganisationNotFound()
    return organisation


def organisation_for_region(ars: str) -> Organisation | None:
    return Organisation.objects.filter(region__ars=ars, is_active=True).first()


def municipalities(*, query: str = "") -> QuerySet[Organisation]:
    """The municipalities of the installation, found by name regardless of umlauts and ß."""
    found = Organisation.objects.filter(kind__in=MUNICIPAL_KINDS, is_active=True).select_related(
        "region__parent"
    )
    folded = fold(query)
    if folded:
        found = found.filter(region__name_folded__contains=folded)
    return found.order_by("region__name_folded", "region__ars")


def public_authorities(organisation: Organisation) -> QuerySet[Authority]:
    """An organisation's authorities with opening hours, as shown on its portal page."""
    return (
        Authority.objects.with_scope(organisation=organisation.pk)
        .all()
        .prefetch_related("opening_hours")
    )


def memberships_of_actor(actor: Any) -> QuerySet[Membership]:
    """The actor's own memberships (for the dashboard)."""
    if not getattr(actor, "is_authenticated", False):
        return Membership.objects.with_scopes_disabled().none()
    return (
        Membership.objects.with_scopes_disabled()
        .filter(user_id=actor.pk, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )


def staff_of(*, actor: Any, organisation_id: int) -> QuerySet[Membership]:
    """The staff of an organisation, if the actor may see that organisation's internal data."""
    return (
        access.scoped(Membership, actor, access.Action.VIEW)
        .filter(organisation_id=organisation_id)
        .select_related("user")
    )


def editable_authorities(*, actor: Any) -> QuerySet[Authority]:
    """Authorities whose data the actor may change."""
    return access.scoped(Authority, actor, access.Action.CHANGE).prefetch_related(
        Prefetch("opening_hours")
    )


def delegations_valid_on(day: datetime.date) -> QuerySet[DelegationAgreement]:
    return DelegationAgreement.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day), valid_from__lte=day
    )


def delegated_grants(*, organisation_ids: Iterable[int], on: datetime.date) -> list[DelegatedGrant]:
    """Delegation source for core.access: work others delegated to these organisations."""
    rows = delegations_valid_on(on).filter(
        processing_id__in=list(organisation_ids), delegating__is_active=True
    )
    return [
        DelegatedGrant(
            organisation_id=row.delegating_id,
            scope=DelegationScope(row.scope),
            value=row.scope_value,
        )
        for row in rows
    ]


def roles_of_user(*, user_id: Any) -> list[tuple[int, str]]:
    """Membership source for core.access: (organisation id, role) in active organisations."""
    return list(
        Membership.objects.with_scopes_disabled()
        .filter(user_id=user_id, organisation__is_active=True)
        .values_list("organisation_id", "role")
    )
