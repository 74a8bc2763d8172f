"""The citizen's catalogue pages in a real browser: service search and "Wo wohnen Sie?".

axe-core checks every state of both pages (in German, and in English too); the journeys run
with and without JavaScript; both pages fit a 320 px screen. Violations of impact moderate,
serious or critical fail (BITV 2.0 / WCAG 2.1 AA), as in ``test_accessibility``.

Loading the catalogue takes about two seconds and the live server's database is emptied after
every test, so each accessibility test walks through several states of a page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import text
from tests.browser.test_accessibility import AXE, BLOCKING_IMPACTS, switch_to_english

pytestmark = pytest.mark.browser

#: "Bad" matches a dozen Gemeinden (Bad Arolsen, Bad Camberg, …), none of them exactly.
AMBIGUOUS_PLACE = "Bad"
#: The states of both pages, each with a check that the page really is in that state.
SEARCH_STATES = {
    "search, empty": "/leistungen/",
    "search, results": "/leistungen/?q=Hund+anmelden",
    "search, no result": "/leistungen/?q=Xylophonstimmung",
}
SERVICE_STATES = {
    "service, no place": "/leistungen/wohnsitz-anmelden/",
    "service, place found, offered online": "/leistungen/wohnsitz-anmelden/?ort=Fulda",
    "service, place found, delegated": "/leistungen/hundesteuer/?ort=Fischbachtal",
    "service, place found, delegated to the Kreis": "/leistungen/gewerbe-anmelden/?ort=Ebersburg",
    "service, several places": f"/leistungen/hundesteuer/?ort={AMBIGUOUS_PLACE}",
    "service, unknown place": "/leistungen/hundesteuer/?ort=Atlantis",
}


@pytest.fixture(autouse=True)
def catalogue(site: str) -> None:
    """The shipped services and the demo world's responsibilities, offerings and delegations."""
    from amtshilfe.catalog.demo import create_catalog_demo

    create_catalog_demo()


def axe_report(page: Any) -> str:
    """The blocking axe violations on the page, one paragraph each ("" if there are none)."""
    violations = [
        v for v in AXE.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS
    ]
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in violations
    )


def assert_state(page: Any, name: str, language: str) -> None:
    """Make sure the page shows what the state's name says, so that axe checks the right thing."""
    main = page.get_by_role("main")
    if name == "search, results":
        expect(main.get_by_role("listitem").first).to_be_visible()
    elif name == "search, no result":
        expect(main).to_contain_text(
            text(
                "No service matches your search. Try another word, for example the name of a"
                " document.",
                language,
            )
        )
    elif name.startswith("service, place found"):
        expect(main.get_by_role("heading", name=text("How to apply", language))).to_be_visible()
        office = main.get_by_role("article")
        expect(office).to_be_visible()
        if "Kreis" not in name:  # the demo's Kreis offices have no opening hours
            expect(office.get_by_role("table")).to_be_visible()
        if "delegated" in name:
            expect(main.locator(".kern-alert--info")).to_be_visible()
    elif name == "service, several places":
        expect(
            main.get_by_role("list", name=text("Several places match. Please choose:", language))
        ).to_be_visible()
    elif name == "service, unknown place":
        # The warning is tied to the field, so a screen reader reads it there too.
        problem = main.get_by_role("alert").inner_text().strip()
        field = main.get_by_label(text("Your town or municipality", language))
        expect(field).to_have_accessible_description(re.compile(re.escape(problem)))


def check_states(page: Any, states: dict[str, str], language: str) -> None:
    reports = []
    for name, path in states.items():
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == language
        assert_state(page, name, language)
        if report := axe_report(page):
            reports.append(f"{name} ({path}):\n{report}")
    assert not reports, "axe found:\n" + "\n\n".join(reports)


def test_search_page_in_every_state_has_no_accessibility_violations(page):
    check_states(page, SEARCH_STATES, "de")


def test_service_page_in_every_state_has_no_accessibility_violations(page):
    check_states(page, SERVICE_STATES, "de")


def test_english_search_and_service_pages_have_no_accessibility_violations(page):
    page.goto("/leistungen/")
    switch_to_english(page)
    check_states(page, SEARCH_STATES | SERVICE_STATES, "en")


def test_search_without_javascript_lists_the_identity_card_first(page_without_js):
    page = page_without_js
    page.goto("/leistungen/")
    page.get_by_role("searchbox", name=text("What are you looking for?")).fill("Perso")
    page.get_by_role("main").get_by_role("button", name=text("Search")).click()
    expect(page).to_have_url(re.compile(r"/leistungen/\?q=Perso$"))
    results = page.locator("#service-results").get_by_role("listitem")
    expect(results.first.get_by_role("link")).to_have_text(re.compile(r"^Personalausweis"))


def test_place_form_without_javascript_names_the_processing_organisation(page_without_js):
    from amtshilfe.organisations.models import Organisation

    darmstadt = Organisation.objects.get(region__ars="064110000000").name
    fischbachtal = Organisation.objects.get(region__ars="064320007007").name
    page = page_without_js
    page.goto("/leistungen/hundesteuer/")
    page.get_by_label(text("Your town or municipality")).fill("Fischbachtal")
    page.get_by_role("button", name=text("Show responsible office")).click()
    expect(page).to_have_url(re.compile(r"/leistungen/hundesteuer/\?ort=Fischbachtal$"))
    processed_by = page.locator(
        ".kern-description-list-item", has=page.get_by_text(text("Processed by"), exact=True)
    )
    expect(processed_by.get_by_role("link", name=darmstadt)).to_be_visible()
    note = text(
        "%(processing)s processes this service on behalf of %(responsible)s. Please send your"
        " application there."
    ) % {"processing": darmstadt, "responsible": fischbachtal}
    expect(page.get_by_role("main")).to_contain_text(note)
    expect(page.get_by_role("article", name=re.compile(re.escape(darmstadt)))).to_be_visible()


def found_text(counter: int) -> str:
    """The result count as the German page words it."""
    from django.utils import translation

    with translation.override("de"):
        return translation.ngettext(
            "%(counter)s service found.", "%(counter)s services found.", counter
        ) % {"counter": counter}


def test_live_search_updates_results_and_address_and_announces_the_count(page):
    page.goto("/leistungen/")
    page.evaluate("window.stillTheSamePage = true")
    # A live region is announced only if it was in the page before its text changed.
    page.evaluate("document.getElementById('results-count').stillTheSameRegion = true")
    page.get_by_role("searchbox", name=text("What are you looking for?")).press_sequentially(
        "Hundesteu"
    )
    expect(page.locator("#results-title")).to_contain_text("Hundesteu")
    expect(page).to_have_url(re.compile(r"/leistungen/\?q=Hundesteu$"))
    results = page.locator("#service-results").get_by_role("listitem")
    expect(results.first.get_by_role("link")).to_have_attribute("href", "/leistungen/hundesteuer/")
    count = page.get_by_role("main").get_by_role("status")
    expect(count).to_have_text(found_text(results.count()))
    assert count.evaluate("el => el.stillTheSameRegion") is True
    assert page.evaluate("window.stillTheSamePage") is True


def longest_service_names(count: int) -> list[str]:
    """The slugs of the services whose German names have the longest words."""
    from amtshilfe.catalog.models import Service

    def longest_word(service: Any) -> int:
        return max(len(word) for word in service.name.split())

    return [s.slug for s in sorted(Service.objects.all(), key=longest_word, reverse=True)[:count]]


def test_catalogue_pages_fit_a_320_pixel_screen_without_horizontal_scrolling(browser, site):
    """WCAG 1.4.10: long German compounds ("Abgeschlossenheitsbescheinigung") must wrap too."""
    paths = [
        "/leistungen/?q=Hund+anmelden",
        "/leistungen/?q=Abgeschlossenheitsbescheinigung",
        "/leistungen/hundesteuer/?ort=Fischbachtal",
        "/leistungen/gewerbe-anmelden/?ort=Ebersburg",
        *(f"/leistungen/{slug}/?ort=Fulda" for slug in longest_service_names(5)),
    ]
    context = browser.new_context(
        base_url=site, locale="de-DE", viewport={"width": 320, "height": 640}
    )
    try:
        page = context.new_page()
        too_wide = {}
        for path in paths:
            page.goto(path)
            too_wide[path] = page.evaluate("document.documentElement.scrollWidth")
        too_wide = {path: width for path, width in too_wide.items() if width > 320}
        assert not too_wide, f"wider than 320 px: {too_wide}"
    finally:
        context.close()
