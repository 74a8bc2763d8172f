"""Logging in with an external OpenID provider, end to end: the provider is a second
amtshilfe, running as its own process on 127.0.0.1; this one (the live server, on
"localhost" so the two keep their cookies apart as a browser does) is the relying party.
A ``requests`` session plays the browser; nothing of either side is replaced.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django_otp.oath import totp

from amtshilfe.accounts.models import ExternalIdentity, IdentityProvider, LoginSession, User
from tests.openid.pages import form_posting_to

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, RFC 6238's test key
PASSWORD = "Anna hat ein langes Passwort"
CLIENT_SECRET = "rp-secret-" + "x" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=180,
    )


SETUP = """
from amtshilfe.accounts.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import Application
user = User.objects.create_user(
    "anna@example.org", {password!r}, full_name="Anna Beispiel", kind="citizen"
)
TOTPDevice.objects.create(user=user, name="app", key={key!r}, confirmed=True)
from amtshilfe.accounts import services
services.set_profile(user, {{"given_name": "Anna", "family_name": "Beispiel"}})
Application.objects.create(
    name="Portal Musterland",
    client_id="musterland",
    client_secret={secret!r},
    client_type="confidential",
    authorization_grant_type="authorization-code",
    redirect_uris={redirect!r},
    algorithm="RS256",
)
"""


@pytest.fixture
def provider(tmp_path, live_server, settings):
    """A second amtshilfe on 127.0.0.1 with a citizen (password + authenticator app) and
    this platform registered as its portal."""
    settings.SITE_URL = live_server.url
    port = free_port()
    env = {
        **os.environ,
        "AMTSHILFE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'provider.sqlite3'}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "TASK_BACKEND": "immediate",
        "PYTHONPATH": str(ROOT / "src"),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    manage(env, "migrate", "--no-input")
    redirect = f"{live_server.url}/konto/anmelden/extern/amtshilfe-b/rueckkehr/"
    code = SETUP.format(password=PASSWORD, key=TOTP_KEY, secret=CLIENT_SECRET, redirect=redirect)
    manage(env, "shell", "-c", code)
    log = (tmp_path / "provider.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "amtshilfe.cli",
            "web",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None and time.time() < deadline, (
                tmp_path / "provider.log"
            ).read_text(errors="replace")
            time.sleep(0.3)
        IdentityProvider.objects.create(
            slug="amtshilfe-b",
            name="Konto Musterland",
            issuer=f"{base}/oidc",
            client_id="musterland",
            client_secret=CLIENT_SECRET,
            scopes="openid profile email",
            claim_mapping={"given_name": "given_name", "family_name": "family_name"},
            acr_mapping={"niedrig": "niedrig", "substanziell": "substanziell"},
        )
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def submit(browser, response, path, **values):
    """Send the page's form that posts to ``path`` (hidden fields included), as a browser."""
    form = form_posting_to(response.text, path)
    action = requests.compat.urljoin(response.url, form.action or response.url)
    return browser.post(action, data={**form.fields, **values}, headers={"Referer": response.url})


def test_login_with_another_amtshilfe_creates_the_account_with_its_attributes(
    provider, live_server
):
    browser = requests.Session()
    # The relying party sends the browser to the provider, which asks for the login.
    page = browser.get(f"{live_server.url}/konto/anmelden/extern/amtshilfe-b/?next=/konto/")
    assert page.url.startswith(f"{provider}/konto/anmelden/"), page.url
    page = submit(browser, page, "/konto/anmelden/", username="anna@example.org", password=PASSWORD)
    assert "/konto/anmelden/code/" in page.url
    code = f"{totp(bytes.fromhex(TOTP_KEY)):06d}"
    page = submit(browser, page, "/konto/anmelden/code/", code=code)
    # The consent page of the provider names what this portal receives.
    assert "Portal Musterland" in page.text and "Anna Beispiel" in page.text
    page = submit(browser, page, "/oidc/authorize/", allow="on")
    assert page.status_code == 200, page.text[:2000]
    assert page.url == f"{live_server.url}/konto/", page.url

    user = User.objects.get(email="anna@example.org")
    assert user.kind == "citizen" and user.full_name == "Anna Beispiel"
    assert not user.has_usable_password(), "no password here: this account logs in at Musterland"
    link = ExternalIdentity.objects.get(user=user)
    assert link.provider.slug == "amtshilfe-b" and link.subject
    profile = {a.name: (a.value, a.source, a.source_label) for a in user.profile.all()}
    assert profile == {
        "given_name": ("Anna", "amtshilfe-b", "Konto Musterland"),
        "family_name": ("Beispiel", "amtshilfe-b", "Konto Musterland"),
    }
    # acr "substanziell" (password + app at the provider) → the same level here.
    assert LoginSession.objects.get(user=user).trust_level == "substanziell"


def test_a_tampered_callback_changes_nothing(provider, live_server):
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/konto/anmelden/extern/amtshilfe-b/")
    assert page.url.startswith(provider)
    forged = browser.get(
        f"{live_server.url}/konto/anmelden/extern/amtshilfe-b/rueckkehr/?code=abc&state=forged"
    )
    assert forged.status_code == 502
    assert not User.objects.filter(email="anna@example.org").exists()
    assert not ExternalIdentity.objects.exists()
