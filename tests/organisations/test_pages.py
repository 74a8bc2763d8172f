"""Public pages and the staff dashboard, as citizens and staff use them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from amtshilfe.core.access import Role
from amtshilfe.organisations import demo
from amtshilfe.organisations.models import Organisation
from tests.factories import PASSWORD, member

pytestmark = pytest.mark.usefixtures("hesse")


def portal_links(html: str) -> list[str]:
    return re.findall(r'href="/o/([a-z0-9-]+)/"', html)


def test_home_lists_every_municipality_of_hesse(client):
    response = client.get("/")
    assert response.status_code == 200
    links = portal_links(response.content.decode())
    assert len(links) == 421
    assert {"buedingen", "giessen", "frankfurt-am-main", "fischbachtal"} <= set(links)


@pytest.mark.parametrize("query", ["Büdingen", "Buedingen", "budingen"])
def test_search_by_name_is_tolerant_of_umlauts(client, query):
    response = client.get("/", {"q": query})
    assert portal_links(response.content.decode()) == ["buedingen"]


def test_search_without_result_says_so(client):
    response = client.get("/", {"q": "Atlantis"})
    assert portal_links(response.content.decode()) == []
    assert "0" in response.content.decode()


def test_live_search_answers_htmx_with_the_results_only(client):
    response = client.get("/", {"q": "Gieß"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<main" not in html
    assert portal_links(html) == ["giessen"]


def test_portal_page_shows_name_region_contact_and_opening_hours(client):
    demo.create_demo_world()
    response = client.get(reverse("organisations:portal", kwargs={"slug": "fulda"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "Stadt Fulda" in html
    assert "066310009009" in html  # its ARS, linking to the region page
    assert "Rathausplatz 1" in html and "Bürgerbüro" in html and "Ordnungsamt" in html
    assert "08:00–12:00" in html


def test_portal_address_is_stable_and_readable():
    org = Organisation.objects.get(region__ars="064400004004")
    assert org.get_absolute_url() == "/o/buedingen/"
    assert Organisation.objects.get(region__ars="065310000000").slug == "kreis-giessen"
    assert Organisation.objects.get(region__ars="065310005005").slug == "giessen"
    assert Organisation.objects.get(region__ars="064400000000").slug == "wetteraukreis"


def test_region_page_of_a_kreis_lists_its_gemeinden(client):
    response = client.get(reverse("regions:detail", kwargs={"ars": "064400000000"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Wetteraukreis" in html and "Büdingen" in html and "Darmstadt" in html  # Reg.-Bez.


@pytest.mark.parametrize("path", ["/o/gibt-es-nicht/", "/regionen/069999999999/", "/regionen/abc/"])
def test_unknown_organisation_or_ars_is_a_proper_not_found_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "<main" in html and 'lang="de"' in html


def test_login_with_wrong_password_shows_the_error_summary(client):
    user = member(Organisation.objects.get(slug="giessen"), Role.CLERK)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "error-summary" in html
    assert "_auth_user_id" not in client.session


def test_login_leads_to_the_dashboard_with_organisations_and_roles(client):
    giessen = Organisation.objects.get(slug="giessen")
    user = member(giessen, Role.MUNICIPAL_ADMIN)
    member(Organisation.objects.get(slug="kreis-giessen"), Role.CLERK, user=user)
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email.upper(), "password": PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("organisations:dashboard")
    assert "Stadt Gießen" in html and "Landkreis Gießen" in html
    assert reverse("organisations:audit", kwargs={"slug": "giessen"}) in html
    # A clerk of the Kreis may not read its audit trail: no link to it.
    assert reverse("organisations:audit", kwargs={"slug": "kreis-giessen"}) not in html


def test_logout_is_a_post_and_ends_the_session(client):
    user = member(Organisation.objects.get(slug="giessen"), Role.CLERK)
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("organisations:dashboard")).status_code == 302


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
