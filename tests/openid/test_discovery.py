"""Discovery document and JWKS: what a standard client reads before anything else."""

from __future__ import annotations

import json

import pytest
from django.urls import NoReverseMatch, reverse
from jwcrypto import jwk

pytestmark = pytest.mark.django_db
ISSUER = "http://testserver/oidc"


def discovery(client):
    response = client.get("/oidc/.well-known/openid-configuration")
    assert response.status_code == 200
    return json.loads(response.content)


def test_discovery_names_the_issuer_and_the_endpoints_under_it(client):
    document = discovery(client)
    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == ISSUER + "/authorize/"
    assert document["token_endpoint"] == ISSUER + "/token/"
    assert document["userinfo_endpoint"] == ISSUER + "/userinfo/"
    assert document["jwks_uri"] == ISSUER + "/.well-known/jwks.json"
    assert document["end_session_endpoint"] == ISSUER + "/logout/"
    assert document["revocation_endpoint"] == ISSUER + "/revoke_token/"


def test_discovery_offers_only_the_code_flow_with_s256_and_rs256(client):
    document = discovery(client)
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert document["acr_values_supported"] == ["niedrig", "substanziell", "hoch"]
    assert set(document["scopes_supported"]) == {"openid", "profile", "email", "address"}
    assert {"sub", "name", "email", "email_verified", "address", "acr", "amr", "auth_time"} <= set(
        document["claims_supported"]
    )
    assert "registration_endpoint" not in document


def test_the_authorization_server_metadata_names_the_same_issuer(client):
    response = client.get("/oidc/.well-known/oauth-authorization-server")
    assert json.loads(response.content)["issuer"] == ISSUER


def test_jwks_publishes_the_signing_key_without_its_private_part(client, settings):
    keys = json.loads(client.get("/oidc/.well-known/jwks.json").content)["keys"]
    signing = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    assert [key["kid"] for key in keys] == [signing.thumbprint()]
    (key,) = keys
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_no_self_service_registration_or_application_management(client, citizen):
    client.force_login(citizen)
    for name in ("list", "register", "authorized-token-list", "dcr-register"):
        with pytest.raises(NoReverseMatch):
            reverse(f"oauth2_provider:{name}")
    for path in ("/oidc/applications/", "/oidc/applications/register/", "/oidc/register/"):
        assert client.get(path).status_code == 404
