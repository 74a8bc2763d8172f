"""German is the default language of every page; English on request, by cookie or by choice."""

from __future__ import annotations

import pytest

from amtshilfe.organisations.models import Organisation
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    """A browser that chose English earlier (the language cookie is set)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_pages_are_german_without_a_choice(client, hesse):
    response = client.get("/")

    assert response.status_code == 200
    assert 'lang="de"' in response.text
    assert "Kommunen in Hessen" in response.text
    assert "Zum Inhalt springen" in response.text


def test_language_cookie_switches_pages_to_english(english, hesse):
    response = english.get("/")

    assert 'lang="en"' in response.text
    assert "Municipalities of Hesse" in response.text
    assert "Kommunen in Hessen" not in response.text


def test_choosing_english_returns_to_the_page_in_english_and_remembers_it(client, settings, hesse):
    response = client.post("/sprache/", {"language": "en", "next": "/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert 'lang="en"' in response.text
    assert "Municipalities of Hesse" in response.text
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Municipalities of Hesse" in client.get("/").text


def test_choosing_german_again_switches_back(english, hesse):
    response = english.post("/sprache/", {"language": "de", "next": "/"}, follow=True)

    assert 'lang="de"' in response.text
    assert "Kommunen in Hessen" in response.text


def test_unknown_organisation_answers_404_in_german(client, hesse):
    response = client.get("/o/gibt-es-nicht/")

    assert response.status_code == 404
    assert 'lang="de"' in response.text
    assert "Seite nicht gefunden" in response.text
    assert "Unter dieser Adresse gibt es keine Organisation." in response.text


def test_unknown_organisation_answers_404_in_english_with_the_cookie(english, hesse):
    response = english.get("/o/gibt-es-nicht/")

    assert response.status_code == 404
    assert 'lang="en"' in response.text
    assert "Page not found" in response.text
    assert "There is no organisation at this address." in response.text


@pytest.fixture
def clerk_of_giessen(client, hesse):
    giessen = Organisation.objects.get(slug="giessen")
    client.force_login(member(giessen, "clerk"))
    return client


def test_dashboard_shows_role_labels_in_german(clerk_of_giessen):
    response = clerk_of_giessen.get("/verwaltung/")

    assert response.status_code == 200
    assert "Ihre Rollen: Sachbearbeitung" in response.text


def test_dashboard_shows_role_labels_in_english_with_the_cookie(clerk_of_giessen, settings):
    clerk_of_giessen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = clerk_of_giessen.get("/verwaltung/")

    assert "Your roles: Clerk" in response.text
    assert "Sachbearbeitung" not in response.text


def test_language_switch_returns_to_the_current_address_even_after_a_live_search(client):
    """The header form has no fixed "next": Django returns to the Referer, which htmx updated."""
    response = client.post(
        "/sprache/", {"language": "en"}, headers={"Referer": "http://testserver/leistungen/?q=Hund"}
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/leistungen/?q=Hund"
