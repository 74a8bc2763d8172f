"""Reads of the catalogue for pages and the API (public data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from amtshilfe.catalog.finder import Finding, service_by_slug
from amtshilfe.catalog.models import Offering, OzgBundle, Responsibility, Service
from amtshilfe.core import access
from amtshilfe.core.access import DelegationScope
from amtshilfe.core.errors import NotFound
from amtshilfe.core.text import fold
from amtshilfe.organisations.models import (
    Authority,
    DelegationAgreement,
    Organisation,
    OrganisationKind,
)
from amtshilfe.organisations.selectors import MUNICIPAL_KINDS
from amtshilfe.regions.models import GEMEINDE_KINDS, Region, RegionKind
from amtshilfe.regions.selectors import gemeinden_of, regions_by_name

__all__ = ["PlaceChoice", "area_region", "resolve_place", "service_by_slug"]

MAX_PLACE_CHOICES = 12


@dataclass(frozen=True)
class PlaceChoice:
    """The result of "Wo wohnen Sie?": one Gemeinde, or several to choose from."""

    region: Region | None
    candidates: list[Region]


def resolve_place(query: str) -> PlaceChoice:
    """Find the Gemeinde a citizen typed ("Budingen" finds Büdingen); exact names win."""
    folded = fold(query)
    if not folded:
        return PlaceChoice(None, [])
    found = list(
        regions_by_name(query, kinds=GEMEINDE_KINDS).select_related("parent")[:MAX_PLACE_CHOICES]
    )
    exact = [r for r in found if r.name_folded == folded]
    if len(exact) == 1:
        return PlaceChoice(exact[0], [])
    if len(found) == 1:
        return PlaceChoice(found[0], [])
    return PlaceChoice(None, exact or found)


def area_region(finding: Finding) -> Region | None:
    """The region a matched rule's area names (None for a Gemeindeverband prefix)."""
    padded = finding.rule.area.ljust(12, "0")
    return Region.objects.filter(ars=padded).first()


# Staff pages: what an organisation offers, its responsibility rules, its delegation agreements.
# Each read is scoped to the actor with core.access (MANAGE); the views check it first as well.


@dataclass(frozen=True)
class AreaChoice:
    """An area (ARS prefix) an organisation may set responsibility rules for."""

    prefix: str
    label: str


@dataclass(frozen=True)
class RuleRow:
    rule: Responsibility
    area_name: str


@dataclass(frozen=True)
class DelegationRow:
    agreement: DelegationAgreement
    scope_label: str
    is_current: bool
    has_ended: bool


def services_for_choice() -> QuerySet[Service]:
    """Every service by name, for the select of a staff form (public data)."""
    return Service.objects.order_by("name_de", "pk")


def delegable_services() -> QuerySet[Service]:
    """Services with a LeiKa key: only those can be delegated one by one."""
    return services_for_choice().exclude(leika_key="")


def ozg_bundles() -> QuerySet[OzgBundle]:
    return OzgBundle.objects.order_by("ozg_id")


def offerings_of(*, actor: Any, organisation: Organisation) -> QuerySet[Offering]:
    """The organisation's offerings, for an actor who may manage it."""
    return (
        access.scoped(Offering, actor, access.Action.MANAGE)
        .filter(organisation=organisation)
        .select_related("service", "receiving_authority")
        .order_by("service__name_de", "pk")
    )


def offering_of(*, actor: Any, organisation: Organisation, service_slug: str) -> Offering | None:
    """The organisation's offering of one service, if there is one."""
    if not service_slug:
        return None
    return (
        offerings_of(actor=actor, organisation=organisation)
        .filter(service__slug=service_slug)
        .first()
    )


def own_authorities(*, actor: Any, organisation: Organisation) -> QuerySet[Authority]:
    """The organisation's authorities, as choices in its managers' forms."""
    return (
        access.scoped(Authority, actor, access.Action.MANAGE)
        .filter(organisation=organisation)
        .order_by("name", "pk")
    )


def area_choices(organisation: Organisation) -> list[AreaChoice]:
    """The areas an organisation's own rules may cover: its Gemeinde, or its Kreis and Gemeinden."""
    region = organisation.region
    if region is None:
        return []
    if region.kind == RegionKind.KREISFREIE_STADT:
        return [AreaChoice(region.ars[:5], f"{region.name} ({region.ars[:5]})")]
    if region.kind == RegionKind.KREIS:
        whole = gettext("%(name)s, whole district") % {"name": region.name}
        return [
            AreaChoice(region.ars[:5], f"{whole} ({region.ars[:5]})"),
            *(
                AreaChoice(g.ars, f"{g.name} ({g.ars})")
                for g in gemeinden_of(region.ars).order_by("name_folded", "ars")
            ),
        ]
    return [AreaChoice(region.ars, f"{region.name} ({region.ars})")]


def area_names(areas: Iterable[str]) -> dict[str, str]:
    """The name of the region each area (ARS prefix) stands for, where there is one."""
    padded = {area.ljust(12, "0"): area for area in areas}
    found = Region.objects.filter(ars__in=list(padded)).values_list("ars", "name")
    return {padded[ars]: name for ars, name in found}


def responsibilities_of(*, actor: Any, organisation: Organisation) -> list[RuleRow]:
    """The organisation's responsibility rules, each with the name of its area."""
    rules = list(
        access.scoped(Responsibility, actor, access.Action.MANAGE)
        .filter(organisation=organisation)
        .select_related("service", "authority")
        .order_by("service__name_de", "area", "pk")
    )
    names = area_names({rule.area for rule in rules})
    return [RuleRow(rule=rule, area_name=names.get(rule.area, "")) for rule in rules]


def responsibility_of(*, actor: Any, organisation: Organisation, rule_id: int) -> Responsibility:
    """One of the organisation's rules, or :class:`NotFound` (also for another's rule)."""
    rule = (
        access.scoped(Responsibility, actor, access.Action.MANAGE)
        .filter(organisation=organisation, pk=rule_id)
        .select_related("service", "authority", "organisation")
        .first()
    )
    if rule is None:
        raise NotFound()
    return rule


def delegation_partners(*, organisation: Organisation) -> QuerySet[Organisation]:
    """Municipalities and Kreise another organisation may delegate its work to."""
    return (
        Organisation.objects.filter(
            kind__in=[*MUNICIPAL_KINDS, OrganisationKind.KREIS], is_active=True
        )
        .exclude(pk=organisation.pk)
        .order_by("name", "pk")
    )


def _delegation_rows(agreements: list[DelegationAgreement]) -> list[DelegationRow]:
    values = {a.scope_value for a in agreements if a.scope_value}
    bundles = dict(OzgBundle.objects.filter(ozg_id__in=values).values_list("ozg_id", "name"))
    services = {s.leika_key: s.name for s in Service.objects.filter(leika_key__in=values)}
    today = timezone.localdate()
    rows = []
    for agreement in agreements:
        if agreement.scope == DelegationScope.ALL:
            label = gettext("all services")
        else:
            names = bundles if agreement.scope == DelegationScope.BUNDLE else services
            name = names.get(agreement.scope_value, "")
            label = f"{name} ({agreement.scope_value})" if name else agreement.scope_value
        rows.append(
            DelegationRow(
                agreement=agreement,
                scope_label=label,
                is_current=agreement.is_valid_on(today),
                has_ended=agreement.valid_until is not None and agreement.valid_until < today,
            )
        )
    return rows


def delegations_given(*, actor: Any, organisation: Organisation) -> list[DelegationRow]:
    """Agreements under which others process this organisation's work."""
    agreements = (
        access.scoped(
            DelegationAgreement, actor, access.Action.MANAGE, organisation_field="delegating"
        )
        .filter(delegating=organisation)
        .select_related("processing")
        .order_by("-valid_from", "-pk")
    )
    return _delegation_rows(list(agreements))


def delegations_taken(*, actor: Any, organisation: Organisation) -> list[DelegationRow]:
    """Agreements under which this organisation processes others' work."""
    agreements = (
        access.scoped(
            DelegationAgreement, actor, access.Action.MANAGE, organisation_field="processing"
        )
        .filter(processing=organisation)
        .select_related("delegating")
        .order_by("-valid_from", "-pk")
    )
    return _delegation_rows(list(agreements))


def delegation_given(
    *, actor: Any, organisation: Organisation, agreement_id: int
) -> DelegationAgreement:
    """One agreement the organisation gives, or :class:`NotFound` (also for others')."""
    agreement = (
        access.scoped(
            DelegationAgreement, actor, access.Action.MANAGE, organisation_field="delegating"
        )
        .filter(delegating=organisation, pk=agreement_id)
        .select_related("processing", "delegating")
        .first()
    )
    if agreement is None:
        raise NotFound()
    return agreement
