"""The Zuständigkeitsfinder: most specific rule wins; delegation says who processes, and when."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from amtshilfe.catalog import finder
from amtshilfe.catalog.models import OzgBundle, OzgTopic, Responsibility, Service
from amtshilfe.organisations.models import Authority, Organisation
from tests.factories import delegation

pytestmark = pytest.mark.usefixtures("hesse")

BUEDINGEN = "064400004004"  # Stadt Büdingen, Wetteraukreis, Reg.-Bez. Darmstadt
ORTENBERG = "064400019019"  # Stadt Ortenberg, Wetteraukreis
FULDA = "066310009009"  # Stadt Fulda, Landkreis Fulda, Reg.-Bez. Kassel
DAY = datetime.date(2026, 6, 1)


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def authority(organisation: Organisation, name: str) -> Authority:
    with scopes_disabled():
        return Authority.objects.get_or_create(organisation=organisation, name=name)[0]


def rule(service: Service, area: str, office: Authority) -> Responsibility:
    return Responsibility.objects.create(
        service=service, area=area, authority=office, organisation=office.organisation
    )


@pytest.fixture
def dog_tax():
    topic = OzgTopic.objects.create(name="Engagement & Hobby")
    bundle = OzgBundle.objects.create(ozg_id="10160", name="Hundehaltung", topic=topic)
    return Service.objects.create(
        slug="hundesteuer", leika_key="99102013002000", name_de="Hundesteuer", ozg_bundle=bundle
    )


@pytest.fixture
def car_registration():
    return Service.objects.create(
        slug="fahrzeug-zulassen", leika_key="99036008007000", name_de="Fahrzeug zulassen"
    )


@pytest.fixture
def rules(dog_tax, car_registration):
    land = authority(org("fulda"), "Landesweite Stelle (Test)")
    wetterau = authority(org("wetteraukreis"), "Zulassungsstelle")
    buedingen = authority(org("buedingen"), "Steueramt")
    return {
        "land": rule(car_registration, "06", land),
        "kreis": rule(car_registration, "06440", wetterau),
        "gemeinde": rule(dog_tax, BUEDINGEN, buedingen),
    }


def test_gemeinde_rule_answers_for_its_gemeinde(rules, dog_tax):
    found = finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=DAY)
    assert found.authority.name == "Steueramt" and found.responsible.slug == "buedingen"
    assert found.rule == rules["gemeinde"] and found.rule_level == "gemeinde"
    assert found.processing == found.responsible and not found.delegated


def test_kreis_rule_answers_for_every_gemeinde_of_the_kreis(rules, car_registration):
    for ars in (BUEDINGEN, ORTENBERG):
        found = finder.find_responsibility(service=car_registration, ars=ars, on=DAY)
        assert found.rule == rules["kreis"] and found.rule_level == "kreis"
        assert found.responsible.slug == "wetteraukreis"


def test_land_rule_answers_where_nothing_more_specific_exists(rules, car_registration):
    found = finder.find_responsibility(service=car_registration, ars=FULDA, on=DAY)
    assert found.rule == rules["land"] and found.rule_level == "land"


def test_most_specific_rule_wins(rules, car_registration):
    own = rule(car_registration, BUEDINGEN, authority(org("buedingen"), "Eigene Zulassung"))
    assert finder.find_responsibility(service=car_registration, ars=BUEDINGEN, on=DAY).rule == own
    assert (
        finder.find_responsibility(service=car_registration, ars=ORTENBERG, on=DAY).rule
        == rules["kreis"]
    )
    regbez = rule(car_registration, "066", authority(org("kreis-fulda"), "Regierungsbezirk (Test)"))
    assert finder.find_responsibility(service=car_registration, ars=FULDA, on=DAY).rule == regbez


def test_delegation_names_who_processes_only_within_its_period(rules, dog_tax):
    agreement = delegation(
        org("buedingen"),
        org("wetteraukreis"),
        scope="service",
        value=dog_tax.leika_key,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    during = finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=DAY)
    assert during.responsible.slug == "buedingen"  # still responsible …
    assert during.processing.slug == "wetteraukreis"  # … but the Kreis processes
    assert during.delegation == agreement
    for day in (datetime.date(2025, 12, 31), datetime.date(2027, 1, 1)):
        outside = finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=day)
        assert outside.processing.slug == "buedingen" and not outside.delegated


def test_delegation_of_a_bundle_covers_its_services_only(rules, dog_tax, car_registration):
    rule(car_registration, BUEDINGEN, authority(org("buedingen"), "Eigene Zulassung"))
    delegation(org("buedingen"), org("giessen"), scope="bundle", value="10160")
    assert finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=DAY).delegated
    assert not finder.find_responsibility(service=car_registration, ars=BUEDINGEN, on=DAY).delegated


def test_the_most_specific_delegation_wins(rules, dog_tax):
    delegation(org("buedingen"), org("giessen"), scope="all")
    delegation(org("buedingen"), org("wetteraukreis"), scope="service", value=dog_tax.leika_key)
    found = finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=DAY)
    assert found.processing.slug == "wetteraukreis"


@pytest.mark.parametrize("ars", ["069999999999", "064400000000", "abc", "", "06440000400"])
def test_unknown_place_or_not_a_gemeinde_is_a_clear_error(rules, dog_tax, ars):
    with pytest.raises(finder.PlaceNotFound):
        finder.find_responsibility(service=dog_tax, ars=ars, on=DAY)


def test_service_without_a_rule_for_the_place_says_so(rules, dog_tax):
    with pytest.raises(finder.NoResponsibility):
        finder.find_responsibility(service=dog_tax, ars=FULDA, on=DAY)


def test_unknown_service_is_a_clear_error():
    with pytest.raises(finder.ServiceNotFound):
        finder.service_by_slug("gibt-es-nicht")


def test_lookup_takes_a_constant_number_of_queries(rules, dog_tax, django_assert_max_num_queries):
    delegation(org("buedingen"), org("wetteraukreis"), scope="all")
    with django_assert_max_num_queries(6):
        finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=DAY)


def test_processing_organisation_without_offices_is_still_named(rules, dog_tax):
    helper = Organisation.objects.create(name="Hilfsstadt", slug="hilfsstadt", kind="stadt")
    delegation(org("buedingen"), helper, scope="all")
    found = finder.find_responsibility(service=dog_tax, ars=BUEDINGEN, on=DAY)
    assert found.processing == helper and found.processing_authority is None
