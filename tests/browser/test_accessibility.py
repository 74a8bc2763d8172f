"""Every page passes axe-core, in German and English, and works at 320 px and by keyboard.

Violations of impact moderate, serious or critical fail the test (BITV 2.0 / WCAG 2.1 AA).
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import GIESSEN_ADMIN, log_in, text

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"moderate", "serious", "critical"}
AXE = Axe()

PUBLIC_PAGES = {
    "home": "/",
    "search results": "/?q=Giessen",
    "portal": "/o/giessen/",
    "region": "/regionen/065310005005/",
    "login": "/konto/anmelden/",
}
STAFF_PAGES = {
    "dashboard": "/verwaltung/",
    "staff list": "/verwaltung/giessen/mitarbeitende/",
    "audit trail": "/verwaltung/giessen/protokoll/",
}


def assert_no_axe_violations(page: Any) -> None:
    violations = [
        v for v in AXE.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS
    ]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in violations
    )
    assert not violations, f"axe found on {page.url}:\n{report}"


def switch_to_english(page: Any) -> None:
    """Press the language button in the header, as a visitor would."""
    with page.expect_navigation():
        page.get_by_role("banner").get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_accessibility_violations(page, path):
    response = page.goto(path)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"
    assert_no_axe_violations(page)


def test_not_found_page_has_no_accessibility_violations(page):
    response = page.goto("/o/gibt-es-nicht/")
    assert response.status == 404
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "email, password",
    [(GIESSEN_ADMIN, "falsch"), ("", "")],
    ids=["wrong password", "empty fields"],
)
def test_login_page_with_errors_has_no_accessibility_violations(page, email, password):
    page.goto("/konto/anmelden/")
    page.get_by_label(text("E-mail address")).fill(email)
    page.get_by_label(text("Password"), exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name=text("Log in"), exact=True).click()
    page.get_by_role("alert").wait_for()
    assert_no_axe_violations(page)


@pytest.fixture
def giessen_audit_entry(site):
    """One change by Gießen's admin, so the audit trail shows a table, not an empty state."""
    from django.contrib.auth import get_user_model

    from amtshilfe.organisations import selectors, services

    admin = get_user_model().objects.get(email=GIESSEN_ADMIN)
    giessen = selectors.organisation_by_slug("giessen")
    authority = selectors.public_authorities(giessen).first()
    services.save_authority(
        actor=admin, organisation=giessen, authority=authority, phone="0641 306-0000"
    )


@pytest.mark.usefixtures("giessen_audit_entry")
@pytest.mark.parametrize("path", STAFF_PAGES.values(), ids=STAFF_PAGES.keys())
def test_staff_page_has_no_accessibility_violations(staff_page, path):
    response = staff_page.goto(path)
    assert response.status == 200
    if path != "/verwaltung/":
        assert staff_page.get_by_role("table").is_visible()
    assert_no_axe_violations(staff_page)


@pytest.mark.parametrize("path", ["/", "/?q=Giessen", "/o/giessen/", "/konto/anmelden/"], ids=str)
def test_language_button_keeps_the_page_and_english_page_is_accessible(page, site, path):
    page.goto(path)
    switch_to_english(page)
    assert page.url == site + path
    assert_no_axe_violations(page)


def test_login_error_summary_in_english_is_accessible(page):
    page.goto("/konto/anmelden/")
    switch_to_english(page)
    log_in(page, password="wrong", language="en")
    page.get_by_role("alert").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", ["/", "/o/giessen/", "/konto/anmelden/"], ids=str)
def test_page_fits_a_320_pixel_screen_without_horizontal_scrolling(browser, site, path):
    context = browser.new_context(
        base_url=site, locale="de-DE", viewport={"width": 320, "height": 640}
    )
    try:
        page = context.new_page()
        page.goto(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{path} is {scroll_width} px wide"
    finally:
        context.close()


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == text("Skip to main content")
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"


def test_focused_link_has_a_visible_outline(page):
    page.goto("/")
    link = page.get_by_role("link", name="Büdingen")
    link.focus()
    # Focus by keyboard so that :focus-visible applies.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    style = link.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
    )
    assert style["style"] != "none"
    assert style["width"] >= 2
