"""Operators register portals in the operators' admin: only the code flow with PKCE, https
redirect addresses (http only on loopback outside production), long random secrets stored
with the fast hasher; the audit trail never sees a secret. Consents are read-only there."""

from __future__ import annotations

import secrets

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django_scopes import scopes_disabled
from oauth2_provider.models import get_application_model

from amtshilfe.core.access import Role
from amtshilfe.core.models import AuditEntry
from amtshilfe.openid.hashers import ClientSecretHasher
from amtshilfe.organisations.models import Organisation
from tests.factories import member

pytestmark = pytest.mark.usefixtures("hesse")
Application = get_application_model()
ADD = "admin:oauth2_provider_application_add"


@pytest.fixture
def operator(client):
    user = member(Organisation.objects.get(slug="giessen"), Role.PLATFORM_OPERATOR)
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user


def portal_form(**changes):
    data = {
        "name": "Familienportal Hessen",
        "client_type": "confidential",
        "client_id": "familienportal",
        "client_secret": secrets.token_urlsafe(64),
        "redirect_uris": "https://familie.example.org/oidc/callback",
        "post_logout_redirect_uris": "https://familie.example.org/",
    }
    return data | changes


def test_an_operator_registers_a_confidential_portal(client, operator):
    data = portal_form()
    response = client.post(reverse(ADD), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    portal = Application.objects.get(client_id="familienportal")
    assert portal.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert portal.algorithm == Application.RS256_ALGORITHM
    assert portal.skip_authorization is False and portal.user is None
    assert isinstance(identify_hasher(portal.client_secret), ClientSecretHasher)
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="admin.oauth2_provider.application.created")
    assert entry.actor == operator
    assert entry.changes["redirect_uris"][1] == data["redirect_uris"]
    assert "client_secret" not in entry.changes
    assert data["client_secret"] not in str(entry.changes)


def test_the_add_form_offers_a_generated_secret(client, operator):
    form = client.get(reverse(ADD)).context["adminform"].form
    assert len(form["client_secret"].value()) == 128
    assert {value for value, _label in form.fields["client_type"].choices if value} == {
        "confidential",
        "public",
    }
    assert "authorization_grant_type" not in form.fields
    assert "skip_authorization" not in form.fields


@pytest.mark.parametrize(
    "uri",
    [
        "http://familie.example.org/callback",
        "ftp://familie.example.org/callback",
        "https://familie.example.org/callback#fragment",
        "familie.example.org/callback",
    ],
)
def test_redirect_addresses_must_be_https(client, operator, uri):
    response = client.post(reverse(ADD), portal_form(redirect_uris=uri))
    assert response.status_code == 200
    assert "redirect_uris" in response.context["adminform"].form.errors
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:8080/callback", "http://localhost/cb", "http://[::1]:9000/cb"]
)
def test_loopback_http_is_accepted_for_development(client, operator, uri):
    response = client.post(reverse(ADD), portal_form(redirect_uris=uri, client_type="public"))
    assert response.status_code == 302


def test_loopback_http_is_refused_where_only_https_is_allowed(client, operator, settings):
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    }
    response = client.post(reverse(ADD), portal_form(redirect_uris="http://127.0.0.1:8080/cb"))
    assert response.status_code == 200
    assert "redirect_uris" in response.context["adminform"].form.errors


def test_a_short_secret_is_refused(client, operator):
    response = client.post(reverse(ADD), portal_form(client_secret="geheim"))
    assert response.status_code == 200
    assert "client_secret" in response.context["adminform"].form.errors


def test_consents_are_read_only_in_the_admin(client, operator):
    assert client.get(reverse("admin:openid_portalconsent_changelist")).status_code == 200
    assert client.get(reverse("admin:openid_portalconsent_add")).status_code == 403


@pytest.mark.parametrize("role", [None, Role.MUNICIPAL_ADMIN, Role.CLERK])
def test_only_operators_reach_the_portal_registration(client, role):
    if role is not None:
        user = member(Organisation.objects.get(slug="giessen"), role)
        user.is_staff = True
        user.save()
        client.force_login(user)
    response = client.get(reverse(ADD))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
