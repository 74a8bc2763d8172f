"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.openid.conftest import LOGOUT_URI, query_of
from tests.openid.test_consents import log_in_at_portal, userinfo

pytestmark = pytest.mark.django_db
LOGOUT = "/oidc/logout/"


def test_logout_with_the_portals_id_token_ends_the_session_and_returns_to_the_portal(
    client, citizen, portal
):
    tokens = log_in_at_portal(client, citizen, portal)
    response = client.get(
        LOGOUT,
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "s-123",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LOGOUT_URI + "?")
    assert query_of(response["Location"]) == {"state": "s-123"}
    # The session is over: the account pages want a login again.
    assert client.get(reverse("openid:consents")).status_code == 302
    # And the portal's tokens for the person are gone.
    assert userinfo(client, tokens["access_token"]).status_code == 401


def test_logout_without_an_id_token_asks_first(client, citizen, portal):
    client.force_login(citizen)
    page = client.get(
        LOGOUT, {"client_id": portal.client_id, "post_logout_redirect_uri": LOGOUT_URI}
    )
    assert page.status_code == 200
    assert "Bürgerportal Musterstadt" in page.content.decode()
    assert "form-action 'self' https://portal.example.org;" in page["Content-Security-Policy"]
    assert client.get(reverse("openid:consents")).status_code == 200  # still logged in

    confirmed = client.post(
        LOGOUT,
        {"client_id": portal.client_id, "post_logout_redirect_uri": LOGOUT_URI, "allow": "on"},
    )
    assert confirmed.status_code == 302
    assert confirmed["Location"] == LOGOUT_URI
    assert client.get(reverse("openid:consents")).status_code == 302


def test_logout_to_an_unregistered_address_is_refused(client, citizen, portal):
    tokens = log_in_at_portal(client, citizen, portal)
    response = client.get(
        LOGOUT,
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert response.status_code == 400
    assert not response.has_header("Location")
    assert client.get(reverse("openid:consents")).status_code == 200  # still logged in
