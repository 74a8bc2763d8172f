"""PKCE is required of every portal, with S256: no code without a challenge, no token without
the verifier that belongs to it."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.openid.conftest import (
    REDIRECT_URI,
    authorization_request,
    query_of,
    redeem,
)
from tests.openid.pages import form_posting_to

pytestmark = pytest.mark.django_db


def issued_code(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal)
    response = client.get(request.url)
    if response.status_code == 200:  # the consent page (once per portal)
        form = form_posting_to(response.content.decode(), "/oidc/authorize/")
        response = client.post(form.action, {**form.fields, "allow": "on"})
    client.logout()
    return query_of(response["Location"])["code"], request.verifier


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "Code challenge required."),
        ({"code_challenge_method": "plain"}, "Unsupported"),
    ],
    ids=["no-challenge", "plain"],
)
def test_an_authorization_request_without_s256_pkce_gets_no_code(
    client, citizen, portal, change, description
):
    client.force_login(citizen)
    response = client.get(authorization_request(portal, **change).url)
    if response.status_code == 200:  # refused only when the code would be issued
        form = form_posting_to(response.content.decode(), "/oidc/authorize/")
        response = client.post(form.action, {**form.fields, "allow": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    answer = query_of(response["Location"])
    assert "code" not in answer
    assert answer["error"] == "invalid_request"
    assert description in answer["error_description"]


def test_a_code_without_its_verifier_gets_no_token(client, citizen, portal):
    code, _verifier = issued_code(client, citizen, portal)
    response = redeem(client, portal, code, verifier=None)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_request"


def test_a_code_with_a_wrong_verifier_gets_no_token(client, citizen, portal):
    code, _verifier = issued_code(client, citizen, portal)
    response = redeem(client, portal, code, verifier=secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_grant"
    assert "id_token" not in json.loads(response.content)


def test_a_code_with_its_verifier_gets_tokens(client, citizen, portal):
    code, verifier = issued_code(client, citizen, portal)
    response = redeem(client, portal, code, verifier)
    assert response.status_code == 200
    assert {"access_token", "id_token", "refresh_token"} <= set(json.loads(response.content))


def test_a_public_client_without_a_secret_gets_tokens_with_pkce_alone(client, citizen):
    from oauth2_provider.models import get_application_model

    from tests.openid.conftest import make_portal

    app_portal = make_portal("App der Stadt", client_type=get_application_model().CLIENT_PUBLIC)
    code, verifier = issued_code(client, citizen, app_portal)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": app_portal.client_id,
    }
    assert client.post("/oidc/token/", data).status_code == 400  # no verifier, no token
    code, verifier = issued_code(client, citizen, app_portal)
    response = client.post("/oidc/token/", data | {"code": code, "code_verifier": verifier})
    assert response.status_code == 200, response.content
    assert "id_token" in json.loads(response.content)
