"""Writes of organisations: each one transaction, each one audit entry."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from amtshilfe.core import access, audit
from amtshilfe.core.access import DelegationScope, Role
from amtshilfe.core.text import german_slug
from amtshilfe.organisations.errors import InvalidDelegation
from amtshilfe.organisations.models import (
    Authority,
    DelegationAgreement,
    Membership,
    OpeningHours,
    Organisation,
    OrganisationKind,
)
from amtshilfe.regions.models import Region, RegionKind

AUTHORITY_FIELDS = ("name", "email", "phone", "street", "postcode", "city", "room")

_KIND_FOR_REGION = {
    RegionKind.GEMEINDE: OrganisationKind.GEMEINDE,
    RegionKind.STADT: OrganisationKind.STADT,
    RegionKind.KREISFREIE_STADT: OrganisationKind.KREISFREIE_STADT,
    RegionKind.KREIS: OrganisationKind.KREIS,
}
_NAME_PREFIX = {
    RegionKind.GEMEINDE: "Gemeinde",
    RegionKind.STADT: "Stadt",
    RegionKind.KREISFREIE_STADT: "Stadt",
    RegionKind.KREIS: "Landkreis",
}


@dataclass(frozen=True)
class SyncSummary:
    created: int
    updated: int
    unchanged: int


def organisation_name_for(region: Region) -> str:
    name = region.name
    if region.kind == RegionKind.KREIS and "kreis" in name.lower():
        return name  # "Wetteraukreis", "Main-Kinzig-Kreis" already say what they are
    return f"{_NAME_PREFIX[RegionKind(region.kind)]} {name}"


def slug_for(region: Region) -> str:
    """ "buedingen", "wetteraukreis", "kreis-giessen" (the Kreis beside the Stadt Gießen)."""
    base = german_slug(region.name)
    if region.kind == RegionKind.KREIS and "kreis" not in region.name.lower():
        return f"kreis-{base}"
    return base


@transaction.atomic
def sync_from_regions(*, progress: Callable[[int, int], None] | None = None) -> SyncSummary:
    """Make sure every Gemeinde, Kreis and kreisfreie Stadt is an organisation; idempotent."""
    regions = list(Region.objects.filter(kind__in=list(_KIND_FOR_REGION)))
    existing = {o.region_id: o for o in Organisation.objects.filter(region__in=regions)}
    created = updated = unchanged = 0
    for index, region in enumerate(regions, start=1):
        kind = _KIND_FOR_REGION[RegionKind(region.kind)]
        organisation = existing.get(region.pk)
        if organisation is None:
            Organisation.objects.create(
                region=region,
                kind=kind,
                name=organisation_name_for(region),
                slug=slug_for(region),
                postcode=region.postcode,
                city=region.name if region.kind != RegionKind.KREIS else "",
            )
            created += 1
        elif organisation.kind != kind:
            organisation.kind = kind
            organisation.save(update_fields=["kind"])
            updated += 1
        else:
            unchanged += 1
        if progress is not None:
            progress(index, len(regions))
    return SyncSummary(created=created, updated=updated, unchanged=unchanged)


@transaction.atomic
def save_authority(
    *, actor: Any, organisation: Organisation, authority: Authority | None = None, **data: Any
) -> Authority:
    """Create or change an authority of ``organisation`` (needs CHANGE there)."""
    access.require(actor, access.Action.CHANGE, organisation.pk)
    unknown = set(data) - set(AUTHORITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown authority fields: {sorted(unknown)}")
    if authority is None:
        authority = Authority(organisation=organisation)
        before: dict[str, Any] = {}
        verb = "created"
    else:
        if authority.organisation_id != organisation.pk:
            raise access.errors.NotFound()
        before = audit.snapshot(authority, AUTHORITY_FIELDS)
        verb = "changed"
    for key, value in data.items():
        setattr(authority, key, value)
    with access.system_scope():  # access was checked above; validation looks at siblings
        authority.full_clean()
    authority.save()
    audit.record(
        actor=actor,
        action=f"organisations.authority.{verb}",
        obj=authority,
        organisation=organisation,
        changes=audit.diff(before, audit.snapshot(authority, AUTHORITY_FIELDS)),
    )
    return authority


@transaction.atomic
def set_opening_hours(
    *,
    actor: Any,
    authority: Authority,
    hours: list[tuple[int, datetime.time, datetime.time]],
) -> None:
    """Replace an authority's opening hours with ``hours`` (weekday, opens, closes)."""
    access.require(actor, access.Action.CHANGE, authority.organisation_id)
    before = [str(h) for h in authority.opening_hours.all()]
    authority.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(authority=authority, weekday=day, opens=opens, closes=closes)
        for day, opens, closes in hours
    )
    after = [str(h) for h in authority.opening_hours.all()]
    audit.record(
        actor=actor,
        action="organisations.authority.hours_set",
        obj=authority,
        organisation=authority.organisation_id,
        changes={"opening_hours": [before, after]},
    )


@transaction.atomic
def add_membership(*, actor: Any, organisation: Organisation, user: Any, role: str) -> Membership:
    """Give ``user`` a role in ``organisation`` (needs MANAGE there)."""
    access.require(actor, access.Action.MANAGE, organisation.pk)
    membership, created = Membership.objects.with_scopes_disabled().get_or_create(
        user=user, organisation=organisation, role=Role(role)
    )
    if created:
        audit.record(
            actor=actor,
            action="organisations.membership.created",
            obj=membership,
            organisation=organisation,
            changes={"role": [None, role], "user": [None, user.pk]},
        )
    access.forget_cached_access(user)
    return membership


@transaction.atomic
def create_delegation(
    *,
    actor: Any,
    delegating: Organisation,
    processing: Organisation,
    scope: str,
    scope_value: str = "",
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
) -> DelegationAgreement:
    """Record that ``processing`` does ``delegating``'s work in ``scope`` (needs MANAGE there)."""
    access.require(actor, access.Action.MANAGE, delegating.pk)
    if delegating.pk == processing.pk:
        raise InvalidDelegation(_("An organisation cannot delegate to itself."))
    if valid_until is not None and valid_until < valid_from:
        raise InvalidDelegation(_("The agreement must end after it starts."))
    scope = DelegationScope(scope)
    if (scope == DelegationScope.ALL) != (scope_value == ""):
        raise InvalidDelegation(_("Name the Leistungsbündel or service, or delegate all services."))
    agreement = DelegationAgreement.objects.create(
        delegating=delegating,
        processing=processing,
        scope=scope,
        scope_value=scope_value,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    audit.record(
        actor=actor,
        action="organisations.delegation.created",
        obj=agreement,
        organisation=delegating,
        changes={
            "processing": [None, processing.pk],
            "scope": [None, f"{scope} {scope_value}".strip()],
            "valid_from": [None, valid_from],
            "valid_until": [None, valid_until],
        },
    )
    return agreement


@transaction.atomic
def end_delegation(
    *, actor: Any, agreement: DelegationAgreement, valid_until: datetime.date
) -> DelegationAgreement:
    """End an agreement on ``valid_until`` (its last day; needs MANAGE in the delegating org)."""
    access.require(actor, access.Action.MANAGE, agreement.delegating_id)
    if valid_until < agreement.valid_from:
        raise InvalidDelegation(_("The agreement must end after it starts."))
    before = agreement.valid_until
    if before is not None and before < valid_until:
        raise InvalidDelegation(_("The agreement already ends earlier; it cannot be extended."))
    agreement.valid_until = valid_until
    agreement.save(update_fields=["valid_until"])
    audit.record(
        actor=actor,
        action="organisations.delegation.ended",
        obj=agreement,
        organisation=agreement.delegating_id,
        changes={"valid_until": [before, valid_until]},
    )
    return agreement
