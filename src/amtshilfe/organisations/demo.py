"""The demo world: the ministry, one municipal IT provider, 3 large and 6 small municipalities.

Each gets authorities with opening hours and staff in every role; two delegation agreements
show "Groß hilft klein". All names of people and addresses are invented; e-mail addresses use
the reserved ``.example`` domain. Idempotent: running it again changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from amtshilfe.core.access import DelegationScope, Role
from amtshilfe.organisations.models import (
    Authority,
    DelegationAgreement,
    Membership,
    OpeningHours,
    Organisation,
    OrganisationKind,
)
from amtshilfe.regions.models import Region

DEMO_PASSWORD = "Demo-Amtshilfe-2026"  # noqa: S105  (printed to the operator on purpose)
DEMO_DOMAIN = "demo.amtshilfe.example"

#: (ARS, short login name, "large" or "small")
MUNICIPALITIES = [
    ("064110000000", "darmstadt", "large"),
    ("065310005005", "giessen", "large"),
    ("066310009009", "fulda", "large"),
    ("064320007007", "fischbachtal", "small"),
    ("064320013013", "modautal", "small"),
    ("065310001001", "allendorf-lumda", "small"),
    ("065310015015", "rabenau", "small"),
    ("066310003003", "dipperz", "small"),
    ("066310004004", "ebersburg", "small"),
]
MUNICIPAL_ROLES = [Role.CLERK, Role.MUNICIPAL_ADMIN, Role.MAYOR]
ROLE_LOGIN = {
    Role.CLERK: "sachbearbeitung",
    Role.MUNICIPAL_ADMIN: "digitalisierung",
    Role.MAYOR: "buergermeister",
    Role.IT_PROVIDER_STAFF: "it",
    Role.PLATFORM_OPERATOR: "betrieb",
    Role.CONSULTANT: "beratung",
    Role.MINISTRY_STAFF: "ministerium",
    Role.REVIEWER: "gutachten",
}
WEEKDAY_HOURS = [
    (0, datetime.time(8, 0), datetime.time(12, 0)),
    (1, datetime.time(8, 0), datetime.time(12, 0)),
    (1, datetime.time(14, 0), datetime.time(18, 0)),
    (3, datetime.time(8, 0), datetime.time(12, 0)),
    (4, datetime.time(8, 0), datetime.time(12, 0)),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    organisation: str
    role: str


def _user(email: str, full_name: str) -> object:
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, kind="staff"
        )
    return user


def _member(org: Organisation, role: str, login: str, logins: list[DemoLogin]) -> None:
    email = f"{ROLE_LOGIN[Role(role)]}.{login}@{DEMO_DOMAIN}"
    user = _user(email, f"{Role(role).label} {org.name}")
    if role == Role.PLATFORM_OPERATOR:
        type(user).objects.filter(pk=user.pk).update(is_staff=True)  # type: ignore[attr-defined]
    Membership.objects.with_scopes_disabled().get_or_create(user=user, organisation=org, role=role)
    logins.append(DemoLogin(email=email, organisation=org.name, role=str(Role(role).label)))


def _authorities(org: Organisation) -> None:
    town = org.region.name if org.region else org.city
    domain = f"{org.slug}.{DEMO_DOMAIN}"
    for name, room in (("Bürgerbüro", "EG 1"), ("Ordnungsamt", "1.12")):
        authority, created = Authority.objects.with_scopes_disabled().get_or_create(
            organisation=org,
            name=name,
            defaults={
                "email": f"{name.lower().replace('ü', 'ue')}@{domain}",
                "phone": "+49 6000 1234-0",
                "street": "Rathausplatz 1",
                "postcode": org.postcode,
                "city": town,
                "room": room,
            },
        )
        if created:
            OpeningHours.objects.bulk_create(
                OpeningHours(authority=authority, weekday=d, opens=o, closes=c)
                for d, o, c in WEEKDAY_HOURS
            )


def _special(name: str, slug: str, kind: str, city: str, postcode: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "kind": kind,
            "city": city,
            "postcode": postcode,
            "street": "Demostraße 1",
            "email": f"kontakt@{slug}.{DEMO_DOMAIN}",
        },
    )
    return org


@transaction.atomic
def create_demo_world(*, progress: Callable[[int, int], None] | None = None) -> list[DemoLogin]:
    """Create (or find) the demo organisations and staff; return the demo logins."""
    logins: list[DemoLogin] = []
    ministry = _special(
        "Hessisches Ministerium für Digitalisierung (Demo)",
        "ministerium-digitalisierung",
        OrganisationKind.MINISTRY,
        "Wiesbaden",
        "65185",
    )
    provider = _special(
        "Kommunaler IT-Dienstleister Hessen (Demo)",
        "it-dienstleister",
        OrganisationKind.IT_PROVIDER,
        "Gießen",
        "35394",
    )
    steps = len(MUNICIPALITIES) + 2
    for role in (Role.MINISTRY_STAFF, Role.REVIEWER):
        _member(ministry, role, "land", logins)
    for role in (Role.IT_PROVIDER_STAFF, Role.PLATFORM_OPERATOR, Role.CONSULTANT):
        _member(provider, role, "kdh", logins)
    if progress:
        progress(2, steps)
    by_login: dict[str, Organisation] = {}
    for index, (ars, login, _size) in enumerate(MUNICIPALITIES, start=3):
        region = Region.objects.get(ars=ars)
        org = Organisation.objects.get(region=region)
        by_login[login] = org
        _authorities(org)
        if not org.street:
            Organisation.objects.filter(pk=org.pk).update(
                street="Rathausplatz 1",
                email=f"rathaus@{org.slug}.{DEMO_DOMAIN}",
                phone="+49 6000 1234-0",
            )
        for role in MUNICIPAL_ROLES:
            _member(org, role, login, logins)
        if progress:
            progress(index, steps)
    for delegating, processing, scope, value in (
        ("dipperz", "fulda", DelegationScope.ALL, ""),
        ("fischbachtal", "darmstadt", DelegationScope.BUNDLE, "10160"),  # OZG: Hundehaltung
    ):
        DelegationAgreement.objects.get_or_create(
            delegating=by_login[delegating],
            processing=by_login[processing],
            scope=scope,
            scope_value=value,
            defaults={"valid_from": datetime.date(2026, 1, 1)},
        )
    return logins
