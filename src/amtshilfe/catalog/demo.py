"""Catalogue demo data for the demo world: who is responsible for what, and who offers it.

Gemeinde services are answered by each demo municipality's Bürgerbüro; Kreis services by
its Kreis (or the kreisfreie Stadt Darmstadt itself); building permits by the
Sonderstatusstädte Gießen and Fulda themselves (a more specific rule than their Kreis's);
Land services by one state authority for all of Hesse. Three delegation agreements show
"Groß hilft klein". Idempotent.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction

from amtshilfe.catalog import content
from amtshilfe.catalog.models import Offering, Responsibility, Service
from amtshilfe.core.access import DelegationScope, system_scope
from amtshilfe.organisations.demo import DEMO_DOMAIN, MUNICIPALITIES, WEEKDAY_HOURS
from amtshilfe.organisations.models import (
    Authority,
    DelegationAgreement,
    OpeningHours,
    Organisation,
    OrganisationKind,
)

LARGE_TOWN_ONLINE = {
    "wohnsitz-anmelden",
    "melderegisterauskunft",
    "fuehrungszeugnis-beantragen",
    "briefwahl-beantragen",
    "geburtsurkunde-beantragen",
    "hundesteuer",
    "gewerbe-anmelden",
    "sperrmuell-abholung",
    "bewohnerparkausweis",
}
BUILDING_PERMITS = {"baugenehmigung", "bauvorbescheid", "abrissgenehmigung"}
SONDERSTATUS_DEMO = {"giessen", "fulda"}


#: Where the demo Kreise have their offices (the Kreis seat; real towns, invented addresses).
KREIS_SEATS = {
    "kreis-fulda": ("36037", "Fulda"),
    "kreis-giessen": ("35390", "Gießen"),
    "kreis-darmstadt-dieburg": ("64289", "Darmstadt"),
}


def _office(organisation: Organisation, name: str) -> Authority:
    postcode, city = KREIS_SEATS.get(
        organisation.slug, (organisation.postcode, organisation.city or organisation.name)
    )
    office, created = Authority.objects.get_or_create(
        organisation=organisation,
        name=name,
        defaults={
            "email": f"{name.split()[0].lower()}@{organisation.slug}.{DEMO_DOMAIN}",
            "phone": "+49 6000 4321-0",
            "street": "Verwaltungsplatz 1",
            "postcode": postcode,
            "city": city,
        },
    )
    if created:
        OpeningHours.objects.bulk_create(
            OpeningHours(authority=office, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in WEEKDAY_HOURS
        )
    return office


def _rule(service: Service, area: str, office: Authority) -> None:
    Responsibility.objects.update_or_create(
        service=service,
        area=area,
        defaults={"authority": office, "organisation": office.organisation},
    )


def _state_authority() -> Authority:
    organisation, _ = Organisation.objects.get_or_create(
        slug="versorgungsamt-hessen",
        defaults={
            "name": "Hessisches Amt für Versorgung und Soziales (Demo)",
            "kind": OrganisationKind.STATE_AUTHORITY,
            "city": "Wiesbaden",
            "postcode": "65185",
            "street": "Demostraße 2",
        },
    )
    return _office(organisation, "Servicestelle Familie und Soziales")


@transaction.atomic
def create_catalog_demo(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Load the shipped services and give the demo world responsibilities and offerings."""
    content.load_ozg_catalogue()
    content.load_services()
    levels = {entry["slug"]: entry["level"] for entry in content.service_entries()}
    services = {s.slug: s for s in Service.objects.filter(slug__in=levels)}
    with system_scope():
        land = _state_authority()
        for slug, service in services.items():
            if levels[slug] == "land":
                _rule(service, "06", land)
        for index, (ars, login, size) in enumerate(MUNICIPALITIES, start=1):
            town = Organisation.objects.select_related("region__parent").get(region__ars=ars)
            citizen_office = _office(town, "Bürgerbüro")
            kreis_region = (
                town.region.parent
                if town.region and town.region.kind != "kreisfreie_stadt"
                else town.region
            )
            kreis = Organisation.objects.get(region=kreis_region)
            kreis_office = (
                _office(kreis, "Bürgerservice der Kreisverwaltung")
                if kreis != town
                else citizen_office
            )
            building_office = _office(town, "Bauaufsicht") if login in SONDERSTATUS_DEMO else None
            for slug, service in services.items():
                if levels[slug] == "gemeinde":
                    _rule(service, ars, citizen_office)
                    online = size == "large" and slug in LARGE_TOWN_ONLINE
                    Offering.objects.update_or_create(
                        organisation=town,
                        service=service,
                        defaults={
                            "channel": Offering.Channel.BOTH
                            if online
                            else Offering.Channel.IN_PERSON,
                            "status": Offering.Status.LIVE,
                            "maturity": 3 if online else 1,
                            "receiving_authority": citizen_office,
                        },
                    )
                elif levels[slug] == "kreis":
                    _rule(service, ars[:5], kreis_office)
                    if building_office is not None and slug in BUILDING_PERMITS:
                        _rule(service, ars, building_office)
            if progress:
                progress(index, len(MUNICIPALITIES))
        by_login = {
            login: Organisation.objects.get(region__ars=ars) for ars, login, _ in MUNICIPALITIES
        }
        trade = services.get("gewerbe-anmelden")
        if trade is not None:
            DelegationAgreement.objects.get_or_create(
                delegating=by_login["ebersburg"],
                processing=Organisation.objects.get(slug="kreis-fulda"),
                scope=DelegationScope.SERVICE,
                scope_value=trade.leika_key,
                defaults={"valid_from": datetime.date(2026, 1, 1)},
            )
    return Responsibility.objects.count()
