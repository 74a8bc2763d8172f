"""The catalogue's staff pages in a real browser: offerings, responsibility rules, delegations.

axe-core checks every state of the pages (the dashboard's links, the lists, the forms with
and without errors, a prefilled form, the page that ends an agreement) in German, and the
offerings and delegations pages in English too. Violations of impact moderate, serious or
critical fail (BITV 2.0 / WCAG 2.1 AA), as in ``test_accessibility``. The error summary must
take the focus; an offering can be added without JavaScript; the list pages fit 320 px, their
wide tables scrolling inside a region of their own that a keyboard can reach.

The demo world and catalogue take a few seconds to load and the live server's database is
emptied after every test, so each test walks through several states.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, text
from tests.browser.test_accessibility import switch_to_english
from tests.browser.test_catalog_pages import axe_report

pytestmark = pytest.mark.browser

DIPPERZ_ADMIN = "digitalisierung.dipperz@demo.amtshilfe.example"
FULDA_ADMIN = "digitalisierung.fulda@demo.amtshilfe.example"
#: The demo's agreements start on 1 January 2026; one ending the day before is invalid.
BEFORE_THE_START = "2025-12-31"


@pytest.fixture(autouse=True)
def catalogue(site: str) -> None:
    """The shipped services and the demo world's responsibilities, offerings and delegations."""
    from amtshilfe.catalog.demo import create_catalog_demo

    create_catalog_demo()


def organisation_name(slug: str) -> str:
    from amtshilfe.organisations.models import Organisation

    return Organisation.objects.get(slug=slug).name


def service_name(slug: str, language: str = "de") -> str:
    """A service's name in ``language`` (the catalogue's content is translated too)."""
    from django.utils import translation

    from amtshilfe.catalog.models import Service

    with translation.override(language):
        return Service.objects.get(slug=slug).name


class Walk:
    """Goes through the states of the pages and collects what axe finds in each."""

    def __init__(self, page: Any, language: str = "de") -> None:
        self.page = page
        self.language = language
        self.reports: list[str] = []

    def t(self, msgid: str) -> str:
        return text(msgid, self.language)

    @property
    def main(self) -> Any:
        return self.page.get_by_role("main")

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"

    def check(self, name: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.language, name
        if report := axe_report(self.page):
            self.reports.append(f"{name} ({self.page.url}):\n{report}")

    def submit(self, button: str) -> None:
        with self.page.expect_navigation():
            self.main.get_by_role("button", name=self.t(button)).click()

    def expect_error_summary(self, *problems: str) -> None:
        """The summary lists the problems and has the focus, so a screen reader starts there."""
        summary = self.main.get_by_role("alert")
        expect(summary.get_by_role("heading")).to_have_text(self.t("There is a problem"))
        for problem in problems:
            expect(summary).to_contain_text(problem)
        expect(summary).to_be_focused()

    def expect_field_error(self, label: str, problem: str) -> None:
        """The field with the error is marked invalid and described by the error text."""
        field = self.main.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(problem)))

    def table(self, title: str) -> Any:
        """The table named ``title``, inside a scroll region of the same name."""
        region = self.main.get_by_role("region", name=title)
        table = region.get_by_role("table", name=title)
        expect(table).to_be_visible()
        return table

    def assert_clean(self) -> None:
        assert not self.reports, "axe found:\n" + "\n\n".join(self.reports)


def walk_offerings(walk: Walk, slug: str, offered: str) -> None:
    """Offerings: the list and empty form, the form sent empty, the form for ``offered``."""
    walk.goto(f"/verwaltung/{slug}/leistungen/")
    name = service_name(offered, walk.language)
    table = walk.table(walk.t("Current offerings"))
    expect(table.get_by_role("rowheader", name=name, exact=True)).to_be_visible()
    expect(walk.main.get_by_label(walk.t("Service"), exact=True)).to_have_value("")
    walk.check("offerings")

    walk.submit("Save offering")
    required = walk.t("This field is required.")
    walk.expect_error_summary(f"{walk.t('Service')}: {required}")
    walk.expect_field_error(walk.t("Service"), required)
    walk.check("offerings, form sent without a service")

    # The error summary's link leads to the field, by keyboard too.
    walk.page.keyboard.press("Tab")
    expect(walk.main.get_by_role("alert").get_by_role("link").first).to_be_focused()
    walk.page.keyboard.press("Enter")
    expect(walk.page).to_have_url(re.compile(r"#id_service$"))
    expect(walk.main.get_by_label(walk.t("Service"), exact=True)).to_be_focused()

    change = re.compile(rf"^{re.escape(walk.t('Change'))}\s*:\s*{re.escape(name)}$")
    walk.main.get_by_role("link", name=change).click()
    expect(walk.page).to_have_url(re.compile(rf"\?leistung={offered}#offering-form$"))
    heading = walk.main.get_by_role("heading", level=2, name=re.compile(re.escape(name)))
    expect(heading).to_have_text(
        text("Change the offering of “%(service)s”", walk.language) % {"service": name}
    )
    expect(walk.main.get_by_label(walk.t("Service"), exact=True)).to_have_value(offered)
    walk.check("offerings, form prefilled with ?leistung=")


def walk_delegations_with_an_error(walk: Walk, slug: str, partner: str) -> None:
    """Delegations: a new agreement that ends before it starts."""
    walk.goto(f"/verwaltung/{slug}/delegationen/")
    walk.main.get_by_label(walk.t("Processing organisation"), exact=True).select_option(
        label=organisation_name(partner)
    )
    walk.main.get_by_label(walk.t("Valid from"), exact=True).fill("2026-06-01")
    walk.main.get_by_label(walk.t("Valid until"), exact=True).fill("2026-05-31")
    walk.submit("Create agreement")
    walk.expect_error_summary(walk.t("The agreement must end after it starts."))
    walk.check("delegations, agreement ending before it starts")


def test_giessen_admin_pages_in_every_state_have_no_accessibility_violations(staff_page):
    walk = Walk(staff_page)
    main = walk.main
    links = main.get_by_role("list", name=walk.t("Services and responsibilities"))
    for label in ("Offerings", "Responsibilities", "Delegation agreements"):
        expect(links.get_by_role("link", name=walk.t(label), exact=True)).to_be_visible()
    walk.check("dashboard")
    links.get_by_role("link", name=walk.t("Offerings"), exact=True).click()
    expect(staff_page).to_have_url(re.compile(r"/verwaltung/giessen/leistungen/$"))

    walk_offerings(walk, "giessen", "hundesteuer")

    walk.goto("/verwaltung/giessen/zustaendigkeiten/")
    rules = walk.table(walk.t("Current rules"))
    expect(rules.get_by_role("button").first).to_be_visible()
    walk.check("responsibilities")
    walk.submit("Save rule")
    required = walk.t("This field is required.")
    walk.expect_error_summary(
        f"{walk.t('Service')}: {required}", f"{walk.t('Authority')}: {required}"
    )
    walk.expect_field_error(walk.t("Authority"), required)
    walk.check("responsibilities, form sent without service and authority")

    walk.goto("/verwaltung/giessen/delegationen/")
    expect(main).to_contain_text(walk.t("Your organisation does not delegate any work."))
    walk.check("delegations, none")
    walk_delegations_with_an_error(walk, "giessen", "fulda")
    walk.assert_clean()


def test_delegation_pages_of_both_partners_have_no_accessibility_violations(page):
    """Dipperz delegates all its work to Fulda: given by the one, taken by the other."""
    walk = Walk(page)
    fulda, dipperz = organisation_name("fulda"), organisation_name("dipperz")
    log_in(page, email=DIPPERZ_ADMIN)
    page.wait_for_url("**/verwaltung/")
    walk.goto("/verwaltung/dipperz/delegationen/")
    given = walk.table(walk.t("Work your organisation delegates"))
    expect(given.get_by_role("rowheader", name=fulda)).to_be_visible()
    walk.check("delegations, given")

    end = re.compile(rf"^{re.escape(walk.t('End agreement'))}\s*:\s*{re.escape(fulda)},")
    given.get_by_role("link", name=end).click()
    expect(page).to_have_url(re.compile(r"/verwaltung/dipperz/delegationen/\d+/beenden/$"))
    expect(walk.main.get_by_role("heading", level=1)).to_have_text(
        walk.t("End a delegation agreement")
    )
    walk.check("end agreement")
    walk.main.get_by_label(walk.t("Last day of the agreement")).fill(BEFORE_THE_START)
    walk.submit("End agreement")
    problem = walk.t("The agreement must end after it starts.")
    walk.expect_error_summary(problem)
    walk.expect_field_error(walk.t("Last day of the agreement"), problem)
    walk.check("end agreement, last day before the start")

    page.get_by_role("banner").get_by_role("button", name=walk.t("Log out")).click()
    expect(page.get_by_role("link", name=walk.t("Log in"))).to_be_visible()
    log_in(page, email=FULDA_ADMIN)
    page.wait_for_url("**/verwaltung/")
    walk.goto("/verwaltung/fulda/delegationen/")
    taken = walk.table(walk.t("Work your organisation processes for others"))
    expect(taken.get_by_role("rowheader", name=dipperz)).to_be_visible()
    walk.check("delegations, taken")
    walk.assert_clean()


def test_english_offerings_and_delegations_pages_have_no_accessibility_violations(page):
    log_in(page, email=DIPPERZ_ADMIN)
    page.wait_for_url("**/verwaltung/")
    switch_to_english(page)
    walk = Walk(page, "en")
    walk_offerings(walk, "dipperz", "hundesteuer")
    walk.goto("/verwaltung/dipperz/delegationen/")
    walk.table(walk.t("Work your organisation delegates"))
    walk.check("delegations, given")
    walk_delegations_with_an_error(walk, "dipperz", "giessen")
    walk.assert_clean()


def test_adding_an_offering_without_javascript_lists_it(page_without_js):
    from amtshilfe.catalog.models import Offering, Service

    page = page_without_js
    new = (
        Service.objects.exclude(offerings__organisation__slug="giessen").order_by("name_de").first()
    )
    log_in(page)
    page.wait_for_url("**/verwaltung/")
    page.goto("/verwaltung/giessen/leistungen/")
    main = page.get_by_role("main")
    title = text("Current offerings")
    expect(main.get_by_role("rowheader", name=new.name, exact=True)).to_have_count(0)
    main.get_by_label(text("Service"), exact=True).select_option(label=new.name)
    main.get_by_label(text("Channel"), exact=True).select_option(
        label=text(Offering.Channel.ONLINE.label)
    )
    main.get_by_label(text("OZG maturity level"), exact=True).select_option("3")
    main.get_by_label(text("Fees"), exact=True).fill("25 Euro")
    main.get_by_role("button", name=text("Save offering")).click()

    expect(page).to_have_url(re.compile(r"/verwaltung/giessen/leistungen/$"))
    expect(page.get_by_role("status")).to_contain_text(
        text("The offering of “%(service)s” was saved.") % {"service": new.name}
    )
    row = main.get_by_role("table", name=title).get_by_role(
        "row", name=re.compile(rf"^{re.escape(new.name)} ")
    )
    expect(row.get_by_role("cell").nth(0)).to_have_text(text(Offering.Channel.ONLINE.label))
    expect(row.get_by_role("cell").nth(2)).to_have_text("3")


def test_list_pages_fit_a_320_pixel_screen_and_their_tables_scroll_by_keyboard(browser, site):
    """WCAG 1.4.10: the page does not scroll sideways; a wide table scrolls in its own region,
    which takes the keyboard focus (so it can be scrolled with the arrow keys) and has a name."""
    context = browser.new_context(
        base_url=site, locale="de-DE", viewport={"width": 320, "height": 640}
    )
    try:
        page = context.new_page()
        log_in(page, email=DIPPERZ_ADMIN)
        page.wait_for_url("**/verwaltung/")
        too_wide, regions = {}, {}
        for path in ("leistungen", "zustaendigkeiten", "delegationen"):
            page.goto(f"/verwaltung/dipperz/{path}/")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide[path] = width
            for table in page.get_by_role("main").get_by_role("table").all():
                regions[f"{path}: {table.get_attribute('aria-labelledby')}"] = table.evaluate(
                    """table => {
                        const region = table.closest('[role="region"]');
                        if (!region) return 'not inside a region';
                        if (region.tabIndex !== 0) return 'region not focusable';
                        if (!region.getAttribute('aria-labelledby')) return 'region has no name';
                        if (getComputedStyle(region).overflowX !== 'auto') return 'no scrolling';
                        return 'ok';
                    }"""
                )
        assert not too_wide, f"wider than 320 px: {too_wide}"
        assert len(regions) == 3, regions
        assert set(regions.values()) == {"ok"}, regions
        # The widest table, the offerings, does scroll and can be reached with the Tab key.
        page.goto("/verwaltung/dipperz/leistungen/")
        region = page.get_by_role("region", name=text("Current offerings"))
        assert region.evaluate("r => r.scrollWidth > r.clientWidth")
        for _ in range(30):
            page.keyboard.press("Tab")
            if region.evaluate("r => r === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the offerings' scroll region")
        region.press("ArrowRight")
        expect(region).not_to_have_js_property("scrollLeft", 0)
    finally:
        context.close()
