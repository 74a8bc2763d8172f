"""The Postfach in a real browser: the list and a message, with and without JavaScript.

axe-core checks the list (own and an organisation account's mailbox), a message with
attachments and the reply form, the form sent empty (the error summary takes the focus), and
the message after a reply, in German and the list in English too. Violations of impact
moderate, serious or critical fail (BITV 2.0 / WCAG 2.1 AA), as in ``test_accessibility``.
Reading, downloading and replying work without JavaScript; both pages fit 320 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from tests.browser.conftest import _new_page, text
from tests.browser.test_accessibility import switch_to_english
from tests.browser.test_catalog_pages import axe_report
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

CITIZEN = "clara.citizen@example.org"
SUBJECT = "Bescheid über Ihre Hundesteuer 2026"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def postfach(site: str, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """A citizen who also owns a business, with messages from Gießen in both mailboxes."""
    from amtshilfe.accounts.models import BusinessAccount, BusinessMember
    from amtshilfe.organisations.models import Authority, Organisation
    from amtshilfe.postbox import services

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    giessen = Organisation.objects.get(slug="giessen")
    office = Authority.objects.with_scope(organisation=giessen.pk).first()
    citizen = UserFactory(email=CITIZEN, full_name="Clara Citizen", kind="citizen")
    business = BusinessAccount.objects.create(name="Bäckerei Korn GmbH")
    BusinessMember.objects.create(business=business, user=citizen, role="owner")
    common = {"sender": giessen, "authority": office}
    old = services.send_message(
        **common,
        to_user=citizen,
        subject="Ihr Antrag ist eingegangen",
        text="Wir haben Ihren Antrag erhalten.",
        kind="information",
    )
    services.mark_read(reader=citizen, message=old)
    notice = services.send_message(
        **common,
        to_user=citizen,
        subject=SUBJECT,
        text="Sehr geehrte Frau Citizen,\n\nfür Ihren Hund Bello setzen wir 96 Euro fest.",
        kind="notice",
        case_reference="HS-2026-0815",
        case_url="https://vorgang.example.de/HS-2026-0815",
        replies_allowed=True,
        attachments=[
            services.NewAttachment(
                filename="Hundesteuerbescheid 2026 mit einem sehr langen Dateinamen.pdf",
                content=ContentFile(PDF),
            )
        ],
    )
    services.send_message(
        **common,
        to_business=business,
        subject="Gewerbeanmeldung: Nachforderung",
        text="Bitte reichen Sie den Handelsregisterauszug nach.",
        kind="request",
    )
    return {"notice": notice, "business": business}


def log_in_to_postfach(page: Any, language: str = "de") -> None:
    """Open the Postfach, log in on the page it sends you to, and come back to it."""
    page.goto("/konto/postfach/")
    expect(page).to_have_url(re.compile(r"/konto/anmelden/\?next=/konto/postfach/$"))
    page.get_by_label(text("E-mail address", language)).fill(CITIZEN)
    page.get_by_label(text("Password", language), exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role(
        "button", name=text("Log in", language), exact=True
    ).click()
    page.wait_for_url("**/konto/postfach/")


class Walk:
    def __init__(self, page: Any, language: str = "de") -> None:
        self.page, self.language, self.reports = page, language, []

    @property
    def main(self) -> Any:
        return self.page.get_by_role("main")

    def check(self, name: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.language, name
        if report := axe_report(self.page):
            self.reports.append(f"{name} ({self.page.url}):\n{report}")

    def assert_clean(self) -> None:
        assert not self.reports, "axe found:\n" + "\n\n".join(self.reports)


def test_list_and_message_pages_have_no_accessibility_violations(page, postfach):
    walk = Walk(page)
    main = walk.main
    log_in_to_postfach(page)
    expect(main.get_by_role("heading", level=1)).to_have_text(text("Postfach"))
    subjects = main.get_by_role("list", name=text("Your Postfach")).get_by_role("heading")
    expect(subjects).to_have_count(2)
    expect(subjects.first).to_have_text(f"{SUBJECT} ({text('unread')})")  # unread first
    walk.check("list, own mailbox")

    business_label = text("Postfach of %(name)s") % {"name": "Bäckerei Korn GmbH"}
    main.get_by_role("link", name=business_label).click()
    expect(main.get_by_role("heading", level=2, name=business_label)).to_be_visible()
    walk.check("list, business mailbox")

    page.goto("/konto/postfach/")
    main.get_by_role("link", name=re.compile(re.escape(SUBJECT))).click()
    expect(main.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(main.get_by_role("link", name=re.compile("Hundesteuerbescheid 2026"))).to_be_visible()
    expect(main.get_by_role("link", name=text("Go to the case"))).to_have_attribute(
        "href", "https://vorgang.example.de/HS-2026-0815"
    )
    walk.check("message with attachment and reply form")

    with page.expect_navigation():
        main.get_by_role("button", name=text("Send reply")).click()
    summary = main.get_by_role("alert")
    expect(summary).to_contain_text(text("Please write your reply."))
    expect(summary).to_be_focused()
    field = main.get_by_label(text("Your reply"), exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    walk.check("reply sent empty")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(field).to_be_focused()  # the summary's link leads to the field

    field.fill("Der Bescheid ist angekommen, vielen Dank.")
    with page.expect_navigation():
        main.get_by_role("button", name=text("Send reply")).click()
    expect(page).to_have_url(re.compile(r"#replies$"))
    expect(page.get_by_role("status")).to_contain_text(text("Your reply was sent."))
    replies = main.get_by_role("list", name=text("Replies"))
    expect(replies).to_contain_text("Der Bescheid ist angekommen, vielen Dank.")
    walk.check("message with a reply")

    page.goto("/konto/postfach/")
    switch_to_english(page)
    english = Walk(page, "en")
    expect(main.get_by_role("heading", level=1)).to_have_text("Postfach")
    english.check("list in English")
    walk.assert_clean()
    english.assert_clean()


def test_reading_downloading_and_replying_work_without_javascript(page_without_js, postfach):
    page = page_without_js
    main = page.get_by_role("main")
    log_in_to_postfach(page)
    main.get_by_role("link", name=re.compile(re.escape(SUBJECT))).click()
    expect(main).to_contain_text("für Ihren Hund Bello setzen wir 96 Euro fest.")
    with page.expect_download() as download:
        main.get_by_role("link", name=re.compile("Hundesteuerbescheid 2026")).click()
    saved = download.value
    assert saved.suggested_filename.startswith("Hundesteuerbescheid 2026")
    assert Path(saved.path()).read_bytes() == PDF
    main.get_by_label(text("Your reply"), exact=True).fill("Ohne JavaScript geantwortet.")
    main.get_by_role("button", name=text("Send reply")).click()
    expect(page).to_have_url(re.compile(r"#replies$"))
    expect(main).to_contain_text("Ohne JavaScript geantwortet.")
    page.goto("/konto/postfach/")
    subjects = main.get_by_role("list", name=text("Your Postfach")).get_by_role("heading")
    expect(subjects.first).to_have_text(SUBJECT)  # read now: no "(unread)" any more


def test_list_and_message_fit_a_320_pixel_screen(browser, site, postfach):
    viewport = {"width": 320, "height": 640}
    for page in _new_page(browser, site, viewport=viewport):
        log_in_to_postfach(page)
        for path in ("/konto/postfach/", f"/konto/postfach/{postfach['notice'].pk}/"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{path} is {width} px wide"
