"""Browser tests: Playwright drives the machine's Chromium against pytest-django's live server.

Chromium is Debian's package (``apt-get install chromium``), never a browser downloaded by
``playwright install``. Without it the tests are skipped, unless ``AMTSHILFE_REQUIRE_BROWSER=1``
(CI) turns the skip into a failure.
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A municipal admin (digitalisation officer) of Stadt Gießen in the demo world.
GIESSEN_ADMIN = "digitalisierung.giessen@demo.amtshilfe.example"
TIMEOUT_MS = 5_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def text(msgid: Any, language: str = "de") -> str:
    """What the page shows for ``msgid`` (or a lazy label) in ``language``, as the server does."""
    with translation.override(language):
        return translation.gettext(msgid) if isinstance(msgid, str) else str(msgid)


@contextmanager
def _orm_allowed_beside_event_loop() -> Iterator[None]:
    """Let fixtures use the ORM while Playwright's sync API runs an event loop in this thread.

    Without the flag Django raises SynchronousOnlyOperation. It is set only for that time, not
    for the whole session: subprocesses inherit it, and ``check --deploy`` rightly refuses it.
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module (so the event loop ends before other modules' tests)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package for browser tests"
        if os.environ.get("AMTSHILFE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with _orm_allowed_beside_event_loop(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _let_flush_empty_the_audit_trail() -> None:
    """Delete the audit entries a live-server test wrote, so that the flush after it works.

    The trail is append-only by trigger. PostgreSQL's flush is a TRUNCATE, which row triggers
    do not see; SQLite's flush is a DELETE, which they refuse.
    """
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("amtshilfe.core.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")
        cursor.execute("DELETE FROM core_auditentry")
        for statement in migration.SQLITE_UP:
            if "no_delete" in statement:
                cursor.execute(statement)


@pytest.fixture
def site(live_server: Any, transactional_db: None) -> Iterator[str]:
    """The live server's base URL, with Hesse's regions and the demo world loaded."""
    from amtshilfe.organisations.demo import create_demo_world
    from amtshilfe.regions.models import Region

    if not Region.objects.exists():
        call_command("import_regions", verbosity=0, stdout=io.StringIO())
    create_demo_world()
    yield str(live_server.url)
    _let_flush_empty_the_audit_trail()


def _new_page(browser: Any, site: str, **options: Any) -> Iterator[Any]:
    """A page in a fresh German-speaking context; fails the test on a CSP violation or JS error."""
    context = browser.new_context(base_url=site, locale="de-DE", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield page
    context.close()
    assert not problems, "The browser reported:\n" + "\n".join(problems)


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    yield from _new_page(browser, site)


@pytest.fixture
def page_without_js(browser: Any, site: str) -> Iterator[Any]:
    yield from _new_page(browser, site, java_script_enabled=False)


def log_in(
    page: Any, *, email: str = GIESSEN_ADMIN, password: str | None = None, language: str = "de"
) -> None:
    """Fill in and send the staff login form (demo password unless told otherwise)."""
    from amtshilfe.organisations.demo import DEMO_PASSWORD

    page.goto("/konto/anmelden/")
    page.get_by_label(text("E-mail address", language)).fill(email)
    page.get_by_label(text("Password", language), exact=True).fill(password or DEMO_PASSWORD)
    page.get_by_role("main").get_by_role(
        "button", name=text("Log in", language), exact=True
    ).click()


@pytest.fixture
def staff_page(page: Any) -> Any:
    """A page logged in as Gießen's digitalisation officer, on the dashboard."""
    log_in(page)
    page.wait_for_url("**/verwaltung/")
    return page
