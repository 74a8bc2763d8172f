"""What must hold: a standard OIDC client library logs a citizen in at a *running* amtshilfe.

The client is authlib (not our code): it reads the discovery document, builds the
authorization URL with PKCE (S256), exchanges the code (client_secret_basic), and the ID
token's signature is checked against the JWKS named in the discovery document. A
``requests.Session`` plays the browser: it logs in through the login form and posts the
consent form, with CSRF tokens, cookies and redirects as a browser has them.

The server is the real one (``amtshilfe web``: gunicorn, the product settings — argon2id for
the password, the fast hasher for the client secret) in a process of its own, on 127.0.0.1,
with its own SQLite database in a temporary folder.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import authlib.deprecate  # noqa: F401  (installs authlib's own warning filter first)
import pytest
import requests

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose is deprecated in favour of joserfc
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

from tests.openid.pages import form_posting_to

EMAIL = "erika.mustermann@example.org"
PASSWORD = "Ein-sehr-langes-Passwort-2026"
REDIRECT_URI = "http://127.0.0.1/portal/callback"  # loopback: any port (RFC 8252)
LOGOUT_URI = "http://127.0.0.1/portal/abgemeldet"
TIMEOUT = 10

SETUP = f"""
import json, secrets
from oauth2_provider.models import get_application_model
from amtshilfe.accounts.models import User

User.objects.create_user({EMAIL!r}, {PASSWORD!r}, kind="citizen", full_name="Erika Mustermann")
Application = get_application_model()
secret = secrets.token_urlsafe(64)
portal = Application.objects.create(
    name="Bürgerportal Musterstadt",
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    algorithm=Application.RS256_ALGORITHM,
    redirect_uris={REDIRECT_URI!r},
    post_logout_redirect_uris={LOGOUT_URI!r},
    client_secret=secret,
)
print(json.dumps({{"client_id": portal.client_id, "secret": secret,
                  "stored": portal.client_secret}}))
"""


@dataclass
class Live:
    base: str
    client_id: str
    secret: str
    stored_secret: str

    def discovery(self) -> dict[str, object]:
        response = requests.get(
            f"{self.base}/oidc/.well-known/openid-configuration", timeout=TIMEOUT
        )
        response.raise_for_status()
        return dict(response.json())


def _environment(var_dir: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "OIDC_", "AMTSHILFE_", "DATABASE_", "SECRET_KEY"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "amtshilfe.config.settings",
        "AMTSHILFE_MODE": "embedded",
        "AMTSHILFE_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'live.sqlite3'}",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _amtshilfe(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "amtshilfe.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    var_dir = tmp_path_factory.mktemp("oidc-live") / "var"
    var_dir.mkdir()
    env = _environment(var_dir)
    _amtshilfe(env, "migrate", "--verbosity", "0")
    portal = json.loads(_amtshilfe(env, "shell", "--command", SETUP).strip().splitlines()[-1])
    port = _free_port()
    log = (var_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "amtshilfe.cli", "web", "--bind", f"127.0.0.1:{port}"),
            *("--workers", "1", "--threads", "4"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "server did not start:\n" + (var_dir / "server.log").read_text()
                )
            time.sleep(0.2)
        yield Live(base, portal["client_id"], portal["secret"], portal["stored"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def browser_goes_to(browser: requests.Session, url: str, live: Live) -> str:
    """Follow the person's browser from the portal's link until it leaves amtshilfe.

    Logs in on the login form and allows on the consent page when they come. Returns the
    address outside amtshilfe the browser is finally sent to (the portal's).
    """
    seen = []
    while url.startswith(live.base) or url.startswith("/"):
        url = urljoin(live.base, url)
        response = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        seen.append((response.status_code, urlsplit(url).path))
        if response.is_redirect:
            url = response.headers["Location"]
            continue
        assert response.status_code == 200, seen
        path = urlsplit(url).path
        form = form_posting_to(response.text, path)
        if "password" in form.fields or 'name="password"' in response.text:
            data = form.fields | {"username": EMAIL, "password": PASSWORD}
        else:  # the consent page: it shows exactly what the portal will get
            assert "Erika Mustermann" in response.text and EMAIL in response.text
            data = form.fields | {"allow": "on"}
        posted = browser.post(urljoin(url, form.action), data=data, allow_redirects=False)
        assert posted.is_redirect, (seen, posted.status_code, posted.text[:500])
        url = posted.headers["Location"]
        assert len(seen) < 12, seen
    return url


def portal_client(live: Live) -> OAuth2Session:
    return OAuth2Session(
        live.client_id,
        live.secret,
        scope="openid profile email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def log_in(
    live: Live, browser: requests.Session
) -> tuple[dict[str, object], dict[str, object], str]:
    """The portal's login through amtshilfe: returns (discovery, token response, nonce)."""
    meta = live.discovery()
    client = portal_client(live)
    verifier, nonce = generate_token(64), generate_token(20)
    url, _state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    back = browser_goes_to(browser, url, live)
    assert back.startswith(REDIRECT_URI + "?"), back
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=back, code_verifier=verifier
    )
    return meta, dict(token), nonce


def test_a_standard_oidc_client_logs_a_citizen_in(live):
    browser = requests.Session()
    meta, token, nonce = log_in(live, browser)
    assert meta["issuer"] == f"{live.base}/oidc"

    jwks = requests.get(str(meta["jwks_uri"]), timeout=TIMEOUT).json()
    claims = jwt.decode(
        str(token["id_token"]),
        JsonWebKey.import_key_set(jwks),
        claims_cls=CodeIDToken,
        claims_options={
            "iss": {"essential": True, "value": meta["issuer"]},
            "acr": {"essential": True, "values": ["niedrig", "substanziell", "hoch"]},
        },
        claims_params={
            "nonce": nonce,
            "client_id": live.client_id,
            "access_token": token["access_token"],
        },
    )
    claims.validate(leeway=5)  # signature above; iss, aud, exp, iat, nonce, at_hash here
    assert claims.header["alg"] == "RS256"
    assert claims["acr"] == "niedrig"  # a password login
    assert claims["amr"] == ["pwd"]
    assert abs(claims["auth_time"] - time.time()) < 120
    assert claims["name"] == "Erika Mustermann"

    client = portal_client(live)
    client.token = token
    userinfo = client.get(str(meta["userinfo_endpoint"]), timeout=TIMEOUT)
    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": claims["sub"],
        "name": "Erika Mustermann",
        "email": EMAIL,
        "email_verified": True,
    }


def test_the_running_server_stores_the_client_secret_with_the_fast_hasher(live):
    assert live.stored_secret.startswith("client_secret_hmac_sha256$")
    assert live.secret not in live.stored_secret


def test_the_running_server_refuses_an_authorization_request_without_pkce(live):
    meta = live.discovery()
    client = OAuth2Session(live.client_id, live.secret, scope="openid", redirect_uri=REDIRECT_URI)
    url, _state = client.create_authorization_url(meta["authorization_endpoint"])
    back = browser_goes_to(requests.Session(), url, live)
    assert back.startswith(REDIRECT_URI + "?")
    assert "error=invalid_request" in back and "code=" not in back


def test_rp_initiated_logout_ends_the_session_at_the_running_server(live):
    browser = requests.Session()
    meta, token, _nonce = log_in(live, browser)
    state = secrets.token_urlsafe(8)
    response = browser.get(
        str(meta["end_session_endpoint"]),
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": state,
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOGOUT_URI}?state={state}"
    # Logged out: the next authorization request goes to the login page again.
    client = portal_client(live)
    url, _ = client.create_authorization_url(
        str(meta["authorization_endpoint"]), code_verifier=generate_token(64)
    )
    again = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert again.status_code == 302
    assert not again.headers["Location"].startswith(REDIRECT_URI)  # no code without a login
    assert "/oidc/" not in urlsplit(again.headers["Location"]).path
