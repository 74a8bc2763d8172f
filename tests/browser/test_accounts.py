"""The account pages in a real browser: accessible (axe), usable without JavaScript, and
passkeys with Chromium's own virtual authenticator (WebAuthn through the DevTools protocol)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, text
from tests.browser.test_accessibility import assert_no_axe_violations, switch_to_english

pytestmark = pytest.mark.browser
PASSWORD = "ein langer Satz als Passwort"
EMAIL = "erika.browser@example.org"


@pytest.fixture
def citizen(site, settings):
    from amtshilfe.accounts.models import User

    settings.SITE_URL = site
    return User.objects.create_user(EMAIL, PASSWORD, full_name="Erika Muster", kind="citizen")


def register(page, password):
    page.goto("/konto/registrieren/")
    page.get_by_label(text("Your name")).fill("Max Muster")
    page.get_by_label(text("E-mail address")).fill("max@example.org")
    page.get_by_label(text("Password"), exact=True).fill(password)
    page.get_by_label(text("Password again")).fill(password)
    page.get_by_role("main").get_by_role("button", name=text("Create account")).click()


def test_registration_errors_are_accessible(page):
    page.goto("/konto/registrieren/")
    assert_no_axe_violations(page)
    register(page, "kurz")
    expect(page.get_by_role("alert")).to_be_focused()
    assert_no_axe_violations(page)


def test_registration_works_without_javascript(page_without_js):
    page = page_without_js
    register(page, "kurz")
    expect(page.get_by_role("alert")).to_be_visible()
    register(page, PASSWORD)
    expect(page).to_have_url(re.compile(r"/konto/registrieren/gesendet/$"))


@pytest.mark.parametrize(
    "path",
    [
        "/konto/",
        "/konto/sicherheit/",
        "/konto/sicherheit/app/",
        "/konto/profil/",
        "/konto/daten/",
        "/konto/sicherheit/bestaetigen/?level=substanziell",
    ],
)
def test_account_pages_are_accessible_in_german_and_english(page, citizen, path):
    log_in(page, email=EMAIL, password=PASSWORD)
    page.wait_for_url("**/konto/")
    page.goto(path)
    assert_no_axe_violations(page)
    switch_to_english(page)
    assert_no_axe_violations(page)


def test_register_a_passkey_and_log_in_with_it(page, citizen):
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    log_in(page, email=EMAIL, password=PASSWORD)
    page.wait_for_url("**/konto/")
    page.goto("/konto/sicherheit/")
    page.get_by_label(text("Name of the passkey")).fill("Laptop")
    page.get_by_role("button", name=text("Add a passkey")).click()
    expect(page.get_by_text(text("The passkey has been added."))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Laptop")

    page.get_by_role("banner").get_by_role("button", name=text("Log out")).click()
    page.goto("/konto/anmelden/")
    page.get_by_role("button", name=text("Log in with a passkey")).click()
    page.wait_for_url("**/konto/")
    expect(page.get_by_role("main")).to_contain_text(str(text("substantial (substanziell)")))


def test_without_javascript_the_passkey_button_stays_hidden(page_without_js, citizen):
    page_without_js.goto("/konto/anmelden/")
    expect(page_without_js.get_by_role("button", name=text("Log in with a passkey"))).to_be_hidden()
    expect(page_without_js.get_by_role("button", name=text("Log in"), exact=True)).to_be_visible()
