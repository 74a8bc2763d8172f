"""The citizen's catalogue pages: search (with and without htmx) and "Wo wohnen Sie?"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from amtshilfe.catalog.models import Offering

pytestmark = pytest.mark.usefixtures("hesse")


@pytest.fixture
def demo_world(demo_catalogue, db):
    return None


def result_slugs(html: str) -> list[str]:
    return re.findall(r'href="/leistungen/([a-z0-9-]+)/', html)


def test_search_page_without_javascript_lists_hits(client, demo_world):
    response = client.get(reverse("catalog:search"), {"q": "Perso"})
    html = response.content.decode()
    assert response.status_code == 200 and "<main" in html
    assert result_slugs(html)[0] == "personalausweis-beantragen"


def test_live_search_answers_htmx_with_results_only(client, demo_world):
    response = client.get(
        reverse("catalog:search"), {"q": "Hund anmelden"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<main" not in html and result_slugs(html)[0] == "hundesteuer"
    assert "HX-Request" in response["Vary"]


def test_empty_and_hopeless_searches_say_so(client, demo_world):
    empty = client.get(reverse("catalog:search")).content.decode()
    assert result_slugs(empty) == []
    nothing = client.get(reverse("catalog:search"), {"q": "Xylophonstimmung"}).content.decode()
    assert result_slugs(nothing) == [] and "0" in nothing


def test_online_offering_in_own_municipality_is_marked(client, demo_world):
    fulda = "066310009009"
    html = client.get(
        reverse("catalog:search"), {"q": "Wohnsitz anmelden", "ars": fulda}
    ).content.decode()
    assert result_slugs(html)[0] == "wohnsitz-anmelden"
    assert "kern-badge--success" in html


def service_page(client, slug: str, **params):
    return client.get(reverse("catalog:service", kwargs={"slug": slug}), params).content.decode()


def test_service_page_shows_texts_and_asks_where_you_live(client, demo_world):
    html = service_page(client, "wohnsitz-anmelden")
    assert "Wohnsitz anmelden" in html and 'name="ort"' in html
    assert "99115005104000" in html


def test_place_by_name_shows_the_responsible_office_and_why(client, demo_world):
    html = service_page(client, "wohnsitz-anmelden", ort="Fulda")
    assert "Stadt Fulda" in html and "Bürgerbüro" in html
    assert "08:00–12:00" in html  # opening hours of the office


def test_place_spelled_without_umlaut_is_found(client, demo_world):
    html = service_page(client, "wohnsitz-anmelden", ort="Giessen")
    assert "Stadt Gießen" in html and "Bürgerbüro" in html


def test_delegated_processing_is_explained(client, demo_world):
    html = service_page(client, "hundesteuer", ort="Fischbachtal")
    assert "Gemeinde Fischbachtal" in html and "Stadt Darmstadt" in html
    assert "kern-alert--info" in html


def test_kreis_service_is_answered_by_the_kreis(client, demo_world):
    html = service_page(client, "fahrzeug-zulassen", ort="Dipperz")
    assert "Landkreis Fulda" in html


def test_sonderstatusstadt_issues_its_own_building_permits(client, demo_world):
    assert "Bauaufsicht" in service_page(client, "baugenehmigung", ort="Gießen")
    assert "Landkreis Gießen" in service_page(client, "baugenehmigung", ort="Rabenau")


def test_ambiguous_place_offers_choices(client, demo_world):
    html = service_page(client, "wohnsitz-anmelden", ort="Neu")
    choices = re.findall(r'href="\?ars=(\d{12})"', html)
    assert len(choices) > 1


@pytest.mark.parametrize("params", [{"ort": "Atlantis"}, {"ars": "069999999999"}])
def test_unknown_place_is_a_clear_warning(client, demo_world, params):
    html = service_page(client, "wohnsitz-anmelden", **params)
    assert 'role="alert"' in html and "kern-alert--warning" in html


def test_place_without_a_rule_says_no_office_is_known_yet(client, demo_world):
    html = service_page(client, "wohnsitz-anmelden", ort="Büdingen")
    assert 'role="alert"' in html


def test_online_offering_shows_an_apply_button(client, demo_world):
    with_link = Offering.objects.with_scopes_disabled().get(
        organisation__slug="fulda", service__slug="wohnsitz-anmelden"
    )
    with_link.online_url = "https://fulda.example/online/wohnsitz"
    with_link.save()
    html = service_page(client, "wohnsitz-anmelden", ort="Fulda")
    assert 'href="https://fulda.example/online/wohnsitz"' in html


def test_unknown_service_is_a_404_page(client):
    response = client.get(reverse("catalog:service", kwargs={"slug": "gibt-es-nicht"}))
    assert response.status_code == 404 and "<main" in response.content.decode()


def test_unknown_place_name_is_told_as_a_name_not_as_a_key(client, demo_world):
    html = client.get(
        reverse("catalog:service", kwargs={"slug": "wohnsitz-anmelden"}),
        {"ort": "Atlantis"},
        headers={"Accept-Language": "en"},
    ).content.decode()
    assert "of this name" in html and "ARS" not in html.split('role="alert"')[1][:300]
