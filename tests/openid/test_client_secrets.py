"""Client secrets are checked with a fast salted HMAC, not with the password hasher (argon2id):
a token request must not cost a password hash. People's passwords stay with argon2id."""

from __future__ import annotations

import json
import sys

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

from amtshilfe.openid.hashers import ClientSecretHasher
from tests.openid.conftest import authorization_request, query_of, redeem
from tests.openid.pages import form_posting_to

pytestmark = pytest.mark.django_db


def production_settings():
    """The product's settings module as loaded (tests.settings imports it, then changes some)."""
    return sys.modules["amtshilfe.config.settings"]


def test_production_settings_hash_client_secrets_fast_and_passwords_with_argon2():
    production = production_settings()
    assert production.OAUTH2_PROVIDER["CLIENT_SECRET_HASHER"] == ClientSecretHasher.algorithm
    assert production.PASSWORD_HASHERS[0] == "amtshilfe.accounts.hashers.TunedArgon2PasswordHasher"
    assert production.PASSWORD_HASHERS[-1] == "amtshilfe.openid.hashers.ClientSecretHasher"


def test_a_portals_secret_is_stored_with_the_client_secret_hasher(portal):
    stored = portal.application.client_secret
    assert stored != portal.secret
    hasher = identify_hasher(stored)  # the hasher that every later check dispatches to
    assert isinstance(hasher, ClientSecretHasher)
    assert "argon2" not in stored


def test_the_token_endpoint_checks_the_secret(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal)
    page = client.get(request.url)
    form = form_posting_to(page.content.decode(), "/oidc/authorize/")
    code = query_of(client.post(form.action, {**form.fields, "allow": "on"})["Location"])["code"]
    client.logout()

    last = "y" if portal.secret.endswith("x") else "x"
    wrong = redeem(client, portal, code, request.verifier, secret=portal.secret[:-1] + last)
    assert wrong.status_code == 401
    assert json.loads(wrong.content)["error"] == "invalid_client"
    right = redeem(client, portal, code, request.verifier)
    assert right.status_code == 200


def test_the_hasher_accepts_only_the_secret_and_salts_each_hash():
    secret = "s" * 80
    first, second = (
        make_password(secret, hasher="client_secret_hmac_sha256"),
        make_password(secret, hasher="client_secret_hmac_sha256"),
    )
    assert first != second  # a random salt each time
    assert check_password(secret, first) and check_password(secret, second)
    assert not check_password(secret + "t", first)
    assert not check_password("", first)
    assert not ClientSecretHasher().must_update(first)
