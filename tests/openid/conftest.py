"""Fixtures of the OpenID provider's tests: a citizen, a registered portal, a PKCE helper.

The test settings list only the MD5 hasher (fast password checks); here the production
arrangement of the hashers is restored: a default hasher for people's passwords first, the
client-secret hasher last (config/settings.py).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import authlib.deprecate  # noqa: F401  (installs authlib's own warning filter first)
import pytest
from django.urls import reverse

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose is deprecated in favour of joserfc
    from authlib.jose import JsonWebKey, jwt
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

from amtshilfe.core import trust

PASSWORD = "Ein-sehr-langes-Passwort-2026"
REDIRECT_URI = "https://portal.example.org/anmeldung/rueckkehr"
LOGOUT_URI = "https://portal.example.org/abgemeldet"


@pytest.fixture(autouse=True)
def client_secret_hasher(settings):
    settings.PASSWORD_HASHERS = [
        *settings.PASSWORD_HASHERS,
        "amtshilfe.openid.hashers.ClientSecretHasher",
    ]


@pytest.fixture
def citizen(db):
    from amtshilfe.accounts.models import User

    return User.objects.create_user(
        "erika.mustermann@example.org",
        PASSWORD,
        kind="citizen",
        full_name="Erika Mustermann",
    )


@dataclass
class Portal:
    application: Any
    secret: str

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)

    def basic_auth(self, secret: str | None = None) -> str:
        raw = f"{self.client_id}:{secret if secret is not None else self.secret}"
        return "Basic " + base64.b64encode(raw.encode()).decode()


def make_portal(name: str = "Bürgerportal Musterstadt", **fields: Any) -> Portal:
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    secret = secrets.token_urlsafe(48)
    fields.setdefault("client_type", Application.CLIENT_CONFIDENTIAL)
    application = Application.objects.create(
        name=name,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=REDIRECT_URI,
        post_logout_redirect_uris=LOGOUT_URI,
        client_secret=secret,
        **fields,
    )
    return Portal(application, secret)


@pytest.fixture
def portal(db):
    return make_portal()


@dataclass
class AuthorizationRequest:
    url: str
    verifier: str
    state: str
    nonce: str


def authorization_request(
    portal: Portal, scope: str = "openid", **extra: str | None
) -> AuthorizationRequest:
    """An authorization request as a portal sends it: code flow, PKCE S256, state, nonce.

    ``extra`` adds or changes parameters; ``None`` leaves one out.
    """
    verifier = secrets.token_urlsafe(48)
    state, nonce = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    params = {
        "response_type": "code",
        "client_id": portal.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    params = {name: value for name, value in params.items() if value is not None}
    url = reverse("oauth2_provider:authorize") + "?" + urlencode(params)
    return AuthorizationRequest(url, verifier, state, nonce)


def set_login(client, *, level: str, methods: list[str], auth_time: int | None = None) -> None:
    """Give the client's session a login as the accounts app records it (core.trust)."""
    session = client.session
    session[trust.LEVEL_KEY] = level
    session[trust.METHODS_KEY] = methods
    session[trust.AUTH_TIME_KEY] = auth_time or int(time.time())
    session.save()


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def redeem(client, portal: Portal, code: str, verifier: str | None, secret: str | None = None):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        data["code_verifier"] = verifier
    return client.post(
        reverse("oauth2_provider:token"),
        data,
        HTTP_AUTHORIZATION=portal.basic_auth(secret),
    )


def verified_id_token(client, id_token: str, portal: Portal, nonce: str) -> dict[str, Any]:
    """The ID token's claims after authlib checked its signature against the published JWKS."""
    jwks = JsonWebKey.import_key_set(
        json.loads(client.get(reverse("oauth2_provider:jwks-info")).content)
    )
    claims = jwt.decode(
        id_token,
        jwks,
        claims_options={
            "iss": {"essential": True, "value": "http://testserver/oidc"},
            "aud": {"essential": True, "value": portal.client_id},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate()
    return dict(claims)
