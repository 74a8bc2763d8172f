"""The main journeys, as a visitor and a staff member go them, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, text

pytestmark = pytest.mark.browser


def search_field(page):
    return page.get_by_role("searchbox", name=text("Name of the town or municipality"))


def test_search_without_javascript_finds_buedingen_written_with_ue(page_without_js):
    page = page_without_js
    page.goto("/")
    search_field(page).fill("Buedingen")
    page.get_by_role("button", name=text("Search")).click()
    expect(page).to_have_url(re.compile(r"/\?q=Buedingen$"))
    expect(page.get_by_role("link", name="Büdingen", exact=True)).to_be_visible()


def test_login_without_javascript_reaches_the_dashboard(page_without_js):
    log_in(page_without_js)
    expect(page_without_js).to_have_url(re.compile(r"/verwaltung/$"))
    expect(page_without_js.get_by_role("heading", name="Stadt Gießen")).to_be_visible()


def test_live_search_updates_results_and_address_without_loading_the_page(page):
    page.goto("/")
    page.evaluate("window.stillTheSamePage = true")
    # A live region is announced only if it was in the page before its text changed.
    page.evaluate("document.getElementById('results-count').stillTheSameRegion = true")
    search_field(page).press_sequentially("Giess")
    expect(page.locator("#results-title")).to_contain_text("Giess")
    expect(page.get_by_role("link", name="Gießen", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Büdingen", exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/\?q=Giess$"))
    count = page.get_by_role("status")
    expect(count).to_have_text(re.compile(r"^1 "))
    assert count.evaluate("el => el.stillTheSameRegion") is True
    assert page.evaluate("window.stillTheSamePage") is True


def test_wrong_password_shows_the_error_summary(page):
    log_in(page, password="falsches-Passwort")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        text("The e-mail address or the password is not correct. Please check both and try again.")
    )
    expect(page).to_have_url(re.compile(r"/konto/anmelden/$"))
    # The summary takes the focus, so a screen reader reads it first (GOV.UK's pattern).
    expect(alert).to_be_focused()


def test_staff_member_logs_in_sees_organisation_and_role_and_logs_out(page):
    from amtshilfe.core.access import Role

    log_in(page)
    expect(page).to_have_url(re.compile(r"/verwaltung/$"))
    card = page.locator(".kern-card", has=page.get_by_role("heading", name="Stadt Gießen"))
    expect(card).to_contain_text(text(Role.MUNICIPAL_ADMIN.label))

    page.get_by_role("banner").get_by_role("button", name=text("Log out")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(text("Municipalities of Hesse"))
    expect(page.get_by_role("link", name=text("Log in"))).to_be_visible()


def test_empty_login_form_ties_each_error_to_its_field(page):
    page.goto("/konto/anmelden/")
    page.get_by_role("main").get_by_role("button", name=text("Log in"), exact=True).click()
    required = text("This field is required.")
    expect(page.get_by_role("alert")).to_contain_text(required)
    for label in (text("E-mail address"), text("Password")):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(required)))
