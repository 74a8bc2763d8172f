"""The account's log of consents to portals (DSGVO): listed, and withdrawable with effect."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from amtshilfe.core.models import AuditEntry
from amtshilfe.openid.claims import CLAIM_LABELS
from amtshilfe.openid.models import PortalConsent
from tests.openid.conftest import authorization_request, make_portal, query_of, redeem
from tests.openid.pages import form_posting_to

pytestmark = pytest.mark.django_db


def log_in_at_portal(client, citizen, portal, scope="openid email"):
    """The whole dance: consent page, allow, code, tokens. Returns the token response."""
    client.force_login(citizen)
    request = authorization_request(portal, scope)
    page = client.get(request.url)
    if page.status_code == 200:
        form = form_posting_to(page.content.decode(), "/oidc/authorize/")
        page = client.post(form.action, {**form.fields, "allow": "on"})
    code = query_of(page["Location"])["code"]
    return json.loads(redeem(client, portal, code, request.verifier).content)


def userinfo(client, access_token):
    return client.get(
        reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {access_token}"
    )


def test_the_page_lists_the_consents_with_the_data_released(client, citizen, portal):
    log_in_at_portal(client, citizen, portal)
    page = client.get(reverse("openid:consents"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bürgerportal Musterstadt" in html
    (row,) = page.context["active"]
    assert row.consent.scopes == ["email", "openid"]
    assert row.consent.claims == ["sub", "email", "email_verified"]
    for claim in row.consent.claims:  # named as the person reads them, in their language
        label = str(CLAIM_LABELS[claim])
        assert label in row.data and label in html
    assert reverse("openid:consent_withdraw", args=[row.consent.pk]) in html


def test_the_page_needs_a_login(client):
    response = client.get(reverse("openid:consents"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_withdrawing_ends_the_portals_access_and_the_next_login_asks_again(client, citizen, portal):
    tokens = log_in_at_portal(client, citizen, portal)
    assert userinfo(client, tokens["access_token"]).status_code == 200
    consent = PortalConsent.objects.get()

    response = client.post(reverse("openid:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("openid:consents")

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and not consent.is_active
    assert userinfo(client, tokens["access_token"]).status_code == 401
    refreshed = client.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        HTTP_AUTHORIZATION=portal.basic_auth(),
    )
    assert refreshed.status_code == 400
    assert json.loads(refreshed.content)["error"] == "invalid_grant"
    # The consent page comes again: nothing is released without a new consent.
    assert client.get(authorization_request(portal, "openid").url).status_code == 200
    assert (
        AuditEntry.objects.with_scopes_disabled().filter(action="openid.consent.withdrawn").count()
        == 1
    )

    log = client.get(reverse("openid:consents")).context
    assert log["active"] == [] and len(log["log"]) == 1


def test_withdrawing_leaves_other_portals_alone(client, citizen, portal):
    other = make_portal("Anderes Portal")
    mine = log_in_at_portal(client, citizen, portal)
    theirs = log_in_at_portal(client, citizen, other)
    consent = PortalConsent.objects.get(application=portal.application)
    client.post(reverse("openid:consent_withdraw", args=[consent.pk]))
    assert userinfo(client, mine["access_token"]).status_code == 401
    assert userinfo(client, theirs["access_token"]).status_code == 200


def test_another_persons_consent_cannot_be_withdrawn(client, citizen, portal):
    from amtshilfe.accounts.models import User

    log_in_at_portal(client, citizen, portal)
    consent = PortalConsent.objects.get()
    someone = User.objects.create_user("max@example.org", "x" * 16, kind="citizen")
    client.force_login(someone)
    response = client.post(reverse("openid:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.is_active


def test_withdrawing_answers_post_only(client, citizen, portal):
    log_in_at_portal(client, citizen, portal)
    consent = PortalConsent.objects.get()
    response = client.get(reverse("openid:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 405
    consent.refresh_from_db()
    assert consent.is_active


def test_giving_a_consent_is_in_the_audit_trail_without_personal_data(client, citizen, portal):
    log_in_at_portal(client, citizen, portal)
    entry = AuditEntry.objects.with_scopes_disabled().get(action="openid.consent.given")
    assert entry.object_label == f"Consent #{PortalConsent.objects.get().pk}"
    assert "Mustermann" not in json.dumps(entry.changes)


def test_the_page_needs_the_same_queries_for_many_consents(
    client, citizen, django_assert_max_num_queries
):
    for number in range(6):
        log_in_at_portal(client, citizen, make_portal(f"Portal {number}"))
    client.force_login(citizen)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("openid:consents"))
    assert len(page.context["active"]) == 6


def test_the_data_export_shows_consents_and_what_portals_hold_but_no_token(client, citizen, portal):
    from amtshilfe.accounts import data_rights

    tokens = log_in_at_portal(client, citizen, portal)
    part = data_rights.export(citizen)["portals"]
    (consent,) = part["consents"]
    assert consent["portal"] == "Bürgerportal Musterstadt"
    assert consent["data"] == ["sub", "email", "email_verified"]
    kinds = sorted(row["kind"] for row in part["held_by_portals"])
    assert kinds == ["ID token", "access token", "refresh token"]
    text = json.dumps(part)
    for value in (tokens["access_token"], tokens["refresh_token"], tokens["id_token"]):
        assert value not in text
