"""Writes of the catalogue by staff: each one transaction, access-checked, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from amtshilfe.catalog.models import Offering, Responsibility, Service
from amtshilfe.catalog.search.cache import catalogue_changed
from amtshilfe.core import access, audit
from amtshilfe.core.errors import NotFound
from amtshilfe.organisations.models import Authority, Organisation

OFFERING_FIELDS = ("channel", "status", "maturity", "fees", "online_url", "receiving_authority")


def _own_authority(organisation: Organisation, authority: Authority | None) -> None:
    if authority is not None and authority.organisation_id != organisation.pk:
        raise NotFound()


@transaction.atomic
def save_offering(
    *, actor: Any, organisation: Organisation, service: Service, **data: Any
) -> Offering:
    """Create or change what ``organisation`` offers of ``service`` (its admins, operators)."""
    access.require(actor, access.Action.MANAGE, organisation.pk)
    unknown = set(data) - set(OFFERING_FIELDS)
    if unknown:
        raise TypeError(f"unknown offering fields: {sorted(unknown)}")
    _own_authority(organisation, data.get("receiving_authority"))
    with access.system_scope():
        offering = Offering.objects.filter(organisation=organisation, service=service).first()
        before = audit.snapshot(offering, OFFERING_FIELDS) if offering else {}
        if offering is None:
            offering = Offering(organisation=organisation, service=service)
        for key, value in data.items():
            setattr(offering, key, value)
        offering.full_clean()
        offering.save()
    catalogue_changed()  # search ranks what is offered online here first
    audit.record(
        actor=actor,
        action=f"catalog.offering.{'changed' if before else 'created'}",
        obj=offering,
        organisation=organisation,
        changes=audit.diff(before, audit.snapshot(offering, OFFERING_FIELDS)),
    )
    return offering


@transaction.atomic
def save_responsibility(
    *, actor: Any, organisation: Organisation, service: Service, area: str, authority: Authority
) -> Responsibility:
    """Say that ``authority`` of ``organisation`` is responsible for ``service`` in ``area``.

    An organisation may only name its own authorities, and only for areas within its own
    region (a Gemeinde for itself, a Kreis for its Gemeinden); operators for any area.
    """
    access.require(actor, access.Action.MANAGE, organisation.pk)
    _own_authority(organisation, authority)
    granted = access.grants(actor, access.Action.MANAGE)
    own_prefix = _area_of(organisation)
    if not granted.everything and not (own_prefix and area.startswith(own_prefix)):
        raise access.errors.PermissionDenied()
    with access.system_scope():
        rule = Responsibility.objects.filter(service=service, area=area).first()
        before = {"authority": rule.authority_id} if rule else {}
        if rule is None:
            rule = Responsibility(service=service, area=area)
        elif rule.organisation_id != organisation.pk and not granted.everything:
            raise access.errors.PermissionDenied()
        rule.authority = authority
        rule.organisation = organisation
        rule.full_clean()
        rule.save()
    audit.record(
        actor=actor,
        action=f"catalog.responsibility.{'changed' if before else 'created'}",
        obj=rule,
        organisation=organisation,
        changes=audit.diff(before, {"authority": authority.pk, "area": area}),
    )
    return rule


@transaction.atomic
def delete_responsibility(*, actor: Any, rule: Responsibility) -> None:
    access.require(actor, access.Action.MANAGE, rule.organisation_id)
    audit.record(
        actor=actor,
        action="catalog.responsibility.deleted",
        obj=rule,
        organisation=rule.organisation_id,
        changes={"area": [rule.area, None], "authority": [rule.authority_id, None]},
    )
    rule.delete()


def _area_of(organisation: Organisation) -> str:
    """The ARS prefix an organisation's own rules may cover ("" if it has no region)."""
    region = organisation.region
    if region is None:
        return ""
    if region.kind in {"kreis", "kreisfreie_stadt"}:
        return region.ars[:5]
    return region.ars
