"""Zuständigkeitsfinder: who is responsible for a service at a place, and who processes it.

The rules are ``Responsibility`` rows "service S in area A → authority X", where A is an ARS
prefix: Land (2 digits), Regierungsbezirk (3), Kreis (5), Gemeindeverband (9) or Gemeinde
(12). The most specific rule wins. A valid delegation agreement of the responsible
organisation that covers the service then names the organisation that *processes* it on
the responsible one's behalf ("Groß hilft klein").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtshilfe.catalog.models import Offering, Responsibility, Service
from amtshilfe.core.access import DelegationScope, system_scope
from amtshilfe.core.errors import NotFound
from amtshilfe.organisations.models import Authority, DelegationAgreement, Organisation
from amtshilfe.organisations.selectors import delegations_valid_on
from amtshilfe.regions.models import Region

#: The lengths of the ARS prefixes a rule's area can have, most specific first.
AREA_LENGTHS = (12, 9, 5, 3, 2)


class ServiceNotFound(NotFound):
    default_message = _("There is no such service in the catalogue.")


class PlaceNotFound(NotFound):
    default_message = _("There is no municipality with this regional key (ARS) in Hesse.")


class PlaceNameUnknown(NotFound):
    default_message = _(
        "We do not know a town or municipality of this name in Hesse. Please check the spelling."
    )


class NoResponsibility(NotFound):
    default_message = _(
        "No authority has been entered as responsible for this service at this place yet."
    )


@dataclass(frozen=True)
class Finding:
    """The answer of the finder, with the reasons it can show to a citizen."""

    service: Service
    place: Region
    rule: Responsibility
    responsible: Organisation
    authority: Authority
    processing: Organisation
    processing_authority: Authority | None
    delegation: DelegationAgreement | None
    offering: Offering | None

    @property
    def delegated(self) -> bool:
        return self.delegation is not None

    @property
    def rule_level(self) -> str:
        return {12: "gemeinde", 9: "gemeindeverband", 5: "kreis", 3: "regierungsbezirk", 2: "land"}[
            len(self.rule.area)
        ]


def area_prefixes(ars: str) -> list[str]:
    """The ARS prefixes a rule for this place can name, most specific first."""
    return [ars[:length] for length in AREA_LENGTHS]


def place_for(ars: str) -> Region:
    """The Gemeinde with this 12-digit ARS, or :class:`PlaceNotFound`."""
    ars = (ars or "").strip()
    region = None
    if len(ars) == 12 and ars.isdigit():
        region = Region.objects.filter(ars=ars).first()
    if region is None or not region.is_gemeinde:
        raise PlaceNotFound()
    return region


def matching_rule(
    service: Service, ars: str, *, delegations_on: datetime.date | None = None
) -> Responsibility:
    """The most specific responsibility rule for ``service`` at ``ars``.

    With ``delegations_on``, the rule's ``has_delegations`` says whether its organisation has
    any delegation agreement valid that day (answered in the same query: most have none, and
    then the finder needs no query for them).
    """
    # No ORDER BY: the default ordering joins the services only to sort by name.
    rules = Responsibility.objects.filter(service=service, area__in=area_prefixes(ars)).order_by()
    if delegations_on is not None:
        rules = rules.annotate(
            has_delegations=Exists(
                delegations_valid_on(delegations_on).filter(delegating=OuterRef("organisation"))
            )
        )
    best = max(
        rules.select_related("authority", "organisation"), key=lambda r: len(r.area), default=None
    )
    if best is None:
        raise NoResponsibility()
    return best


def delegation_for(
    organisation: Organisation, service: Service, on: datetime.date
) -> DelegationAgreement | None:
    """The valid agreement under which another organisation processes ``service`` for this one.

    A delegation of the single service beats one of its Leistungsbündel, which beats "all".
    """
    candidates = (
        delegations_valid_on(on)
        .filter(delegating=organisation)
        .select_related("processing")
        .order_by("valid_from", "pk")  # the default ordering joins organisations to sort
    )
    ranked = {DelegationScope.SERVICE: 0, DelegationScope.BUNDLE: 1, DelegationScope.ALL: 2}
    covering = [
        d
        for d in candidates
        if (d.scope == DelegationScope.ALL)
        or (d.scope == DelegationScope.BUNDLE and d.scope_value == service.bundle_id)
        or (d.scope == DelegationScope.SERVICE and d.scope_value == service.leika_key)
    ]
    return min(covering, key=lambda d: ranked[DelegationScope(d.scope)], default=None)


def _processing_authority(
    organisation: Organisation, offering: Offering | None, rule: Responsibility
) -> Authority | None:
    """The office that takes the application: the offering's, else the organisation's first."""
    if (
        offering is not None
        and offering.organisation_id == organisation.pk
        and offering.receiving_authority_id is not None
    ):
        return offering.receiving_authority
    if organisation.pk == rule.organisation_id:
        return rule.authority
    return Authority.objects.filter(organisation=organisation).order_by("name").first()


def find_responsibility(*, service: Service, ars: str, on: datetime.date | None = None) -> Finding:
    """Who is responsible for ``service`` in the Gemeinde ``ars`` on ``on``, and who processes."""
    day = on or timezone.localdate()
    place = place_for(ars)
    with system_scope():  # public information: contact data of authorities and offerings
        rule = matching_rule(service, place.ars, delegations_on=day)
        responsible = rule.organisation
        has_delegations = getattr(rule, "has_delegations", True)  # annotated by matching_rule
        delegation = delegation_for(responsible, service, day) if has_delegations else None
        processing = delegation.processing if delegation else responsible
        offerings = {
            o.organisation_id: o
            for o in Offering.objects.filter(
                organisation__in={responsible.pk, processing.pk}, service=service
            )
            .select_related("receiving_authority")
            .order_by()  # one per organisation; the default ordering joins two tables to sort
        }
        # The citizen applies where an online offering exists: their own municipality's,
        # else the processing organisation's (its form serves the delegating one too).
        candidates = [offerings.get(responsible.pk), offerings.get(processing.pk)]
        offering = next((o for o in candidates if o and o.is_online), None) or next(
            (o for o in candidates if o), None
        )
        processing_authority = _processing_authority(processing, offering, rule)
    return Finding(
        service=service,
        place=place,
        rule=rule,
        responsible=responsible,
        authority=rule.authority,
        processing=processing,
        processing_authority=processing_authority,
        delegation=delegation,
        offering=offering,
    )


def service_by_slug(slug: str) -> Service:
    service = Service.objects.select_related("ozg_bundle").filter(slug=slug).first()
    if service is None:
        raise ServiceNotFound()
    return service
