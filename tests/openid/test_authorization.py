"""Authorization endpoint: login first, the trust level a portal asks for, consent, the code."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from amtshilfe.openid.models import PortalConsent
from tests.openid.conftest import (
    REDIRECT_URI,
    authorization_request,
    make_portal,
    query_of,
    redeem,
    set_login,
    verified_id_token,
)
from tests.openid.pages import form_posting_to

pytestmark = pytest.mark.django_db

AUTHORIZE = "/oidc/authorize/"


def consent(client, request_url: str, *, allow: bool = True):
    page = client.get(request_url)
    assert page.status_code == 200, page.status_code
    form = form_posting_to(page.content.decode(), AUTHORIZE)
    data = dict(form.fields)
    if allow:
        data["allow"] = "on"
    return client.post(form.action, data)


def code_from(response, state: str) -> str:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(REDIRECT_URI + "?")
    answer = query_of(response["Location"])
    assert answer["state"] == state
    assert answer["iss"] == "http://testserver/oidc"  # RFC 9207: the same as the issuer
    return answer["code"]


def test_anonymous_person_is_sent_to_the_login_and_back(client, portal):
    request = authorization_request(portal)
    response = client.get(request.url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query)["next"] == [request.url]


def test_consent_page_lists_exactly_the_data_and_the_values_the_portal_gets(
    client, citizen, portal
):
    client.force_login(citizen)
    page = client.get(authorization_request(portal, "openid profile email address").url)
    assert page.status_code == 200
    html = page.content.decode()
    shown = {
        scope.scope: {claim.claim: claim.value for claim in scope.claims}
        for scope in page.context["shown_scopes"]
    }
    with translation.override("de"):  # the page's language
        yes = translation.gettext("yes")
    assert shown == {
        "openid": {"sub": str(citizen.pk)},
        "profile": {"name": "Erika Mustermann"},  # no birth date on record: not offered
        "email": {"email": "erika.mustermann@example.org", "email_verified": yes},
        "address": {},
    }
    assert "Erika Mustermann" in html
    assert "erika.mustermann@example.org" in html
    assert "Bürgerportal Musterstadt" in html
    assert "portal.example.org" in html  # where the person goes afterwards
    # The consent form ends in a redirect to the portal: Chrome checks that against the CSP.
    assert "form-action 'self' https://portal.example.org;" in page["Content-Security-Policy"]


def test_allowing_issues_a_code_records_the_consent_and_the_id_token_carries_the_login(
    client, citizen, portal
):
    client.force_login(citizen)
    login_time = int(time.time()) - 120
    set_login(client, level="substanziell", methods=["pwd", "otp", "mfa"], auth_time=login_time)
    request = authorization_request(portal, "openid profile email")

    code = code_from(consent(client, request.url), request.state)

    recorded = PortalConsent.objects.get(user=citizen)
    assert recorded.application == portal.application
    assert recorded.scopes == ["email", "openid", "profile"]
    assert recorded.claims == ["sub", "name", "email", "email_verified"]
    assert recorded.is_active

    # The portal exchanges the code server to server: no session, the values come along.
    client.logout()
    token = redeem(client, portal, code, request.verifier)
    assert token.status_code == 200, token.content
    body = json.loads(token.content)
    claims = verified_id_token(client, body["id_token"], portal, request.nonce)
    assert claims["sub"] == str(citizen.pk)
    assert claims["acr"] == "substanziell"
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["auth_time"] == login_time
    assert claims["name"] == "Erika Mustermann"


def test_a_code_can_be_exchanged_only_once(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal)
    code = code_from(consent(client, request.url), request.state)
    assert redeem(client, portal, code, request.verifier).status_code == 200
    again = redeem(client, portal, code, request.verifier)
    assert again.status_code == 400
    assert json.loads(again.content)["error"] == "invalid_grant"


def test_denying_sends_access_denied_back_and_records_nothing(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal, "openid email")
    response = consent(client, request.url, allow=False)
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    answer = query_of(response["Location"])
    assert answer["error"] == "access_denied"
    assert answer["state"] == request.state
    assert "code" not in answer
    assert not PortalConsent.objects.exists()


def test_a_consent_in_force_lets_the_code_go_without_asking_again(client, citizen, portal):
    client.force_login(citizen)
    first = authorization_request(portal, "openid email")
    code_from(consent(client, first.url), first.state)

    narrower = authorization_request(portal, "openid")
    response = client.get(narrower.url)
    code = code_from(response, narrower.state)
    assert redeem(client, portal, code, narrower.verifier).status_code == 200
    assert PortalConsent.objects.count() == 1


def test_wider_scopes_ask_again_and_the_new_consent_replaces_the_old(client, citizen, portal):
    client.force_login(citizen)
    first = authorization_request(portal, "openid")
    code_from(consent(client, first.url), first.state)

    wider = authorization_request(portal, "openid email")
    assert client.get(wider.url).status_code == 200  # the consent page again
    code_from(consent(client, wider.url), wider.state)

    old, new = PortalConsent.objects.order_by("pk")
    assert old.replaced_at is not None and not old.is_active
    assert new.is_active and new.scopes == ["email", "openid"]


def test_a_consent_to_one_portal_does_not_cover_another(client, citizen, portal):
    client.force_login(citizen)
    first = authorization_request(portal, "openid")
    code_from(consent(client, first.url), first.state)
    other = make_portal("Anderes Portal")
    assert client.get(authorization_request(other, "openid").url).status_code == 200


def test_prompt_consent_asks_even_with_a_consent_in_force(client, citizen, portal):
    client.force_login(citizen)
    first = authorization_request(portal, "openid")
    code_from(consent(client, first.url), first.state)
    again = authorization_request(portal, "openid", prompt="consent")
    assert client.get(again.url).status_code == 200


def test_prompt_none_without_consent_answers_consent_required(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal, "openid", prompt="none")
    response = client.get(request.url)
    assert response.status_code == 302
    answer = query_of(response["Location"])
    assert answer["error"] == "consent_required"
    assert answer["state"] == request.state


@pytest.mark.parametrize(
    ("extra", "wanted"),
    [
        ({"acr_values": "substanziell"}, "substanziell"),
        ({"acr_values": "hoch substanziell"}, "substanziell"),  # either will do: the lower
        ({"acr_values": "hoch"}, "hoch"),
        (
            {"claims": json.dumps({"id_token": {"acr": {"essential": True, "value": "hoch"}}})},
            "hoch",
        ),
        (
            {"claims": json.dumps({"id_token": {"acr": {"values": ["substanziell"]}}})},
            "substanziell",
        ),
    ],
    ids=["acr_values", "acr_values-either", "acr_values-hoch", "claims-value", "claims-values"],
)
def test_a_portal_asking_for_more_than_the_session_has_sends_the_person_to_step_up(
    client, citizen, portal, extra, wanted
):
    client.force_login(citizen)
    set_login(client, level="niedrig", methods=["pwd"])
    request = authorization_request(portal, "openid", **extra)
    response = client.get(request.url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:step_up")
    assert parse_qs(target.query) == {"next": [request.url], "level": [wanted]}
    assert not PortalConsent.objects.exists()


def test_a_session_at_the_level_asked_for_goes_on_to_the_consent(client, citizen, portal):
    client.force_login(citizen)
    set_login(client, level="substanziell", methods=["pwd", "otp", "mfa"])
    request = authorization_request(portal, "openid", acr_values="substanziell")
    assert client.get(request.url).status_code == 200


def test_unknown_acr_values_are_ignored(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal, "openid", acr_values="urn:example:loa:3")
    assert client.get(request.url).status_code == 200


def test_prompt_none_needing_a_step_up_answers_interaction_required(client, citizen, portal):
    client.force_login(citizen)
    set_login(client, level="niedrig", methods=["pwd"])
    request = authorization_request(portal, "openid", acr_values="hoch", prompt="none")
    response = client.get(request.url)
    assert query_of(response["Location"])["error"] == "interaction_required"


def test_an_unknown_portal_gets_an_error_page_and_no_redirect(client, citizen):
    client.force_login(citizen)
    response = client.get(
        AUTHORIZE + "?response_type=code&client_id=unknown&redirect_uri=https://evil.example/"
    )
    assert response.status_code in {400, 401}
    assert "evil.example" not in response.get("Location", "")
    with translation.override("de"):
        assert translation.gettext("The login for the portal could not be started") in (
            response.content.decode()
        )


def test_an_unregistered_redirect_address_gets_no_redirect(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal, redirect_uri="https://evil.example/callback")
    response = client.get(request.url)
    assert response.status_code == 400
    assert not response.has_header("Location")


def test_a_refresh_gives_a_new_access_token_but_no_new_id_token(client, citizen, portal):
    client.force_login(citizen)
    request = authorization_request(portal, "openid email")
    code = code_from(consent(client, request.url), request.state)
    first = json.loads(redeem(client, portal, code, request.verifier).content)
    refreshed = client.post(
        reverse("oauth2_provider:token"),
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        HTTP_AUTHORIZATION=portal.basic_auth(),
    )
    assert refreshed.status_code == 200, refreshed.content
    body = json.loads(refreshed.content)
    assert "id_token" not in body  # an ID token describes a login; a refresh is none
    assert body["access_token"] != first["access_token"]
    info = client.get(
        reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {body['access_token']}"
    )
    assert json.loads(info.content)["email"] == "erika.mustermann@example.org"


def test_a_portal_cannot_redeem_another_portals_code(client, citizen, portal):
    other = make_portal("Anderes Portal")
    client.force_login(citizen)
    request = authorization_request(portal)
    code = code_from(consent(client, request.url), request.state)
    client.logout()
    stolen = redeem(client, other, code, request.verifier)
    assert stolen.status_code == 400
    assert json.loads(stolen.content)["error"] == "invalid_grant"
    assert redeem(client, portal, code, request.verifier).status_code == 200


def test_profile_data_is_released_as_oidc_claims_only_for_its_scopes(client, citizen, portal):
    from amtshilfe.accounts import services as accounts_services

    accounts_services.set_profile(
        citizen,
        {
            "given_name": "Erika",
            "family_name": "Mustermann",
            "birth_date": "1964-08-12",
            "street": "Heidestraße 17",
            "postal_code": "51147",
            "city": "Köln",
        },
    )
    client.force_login(citizen)
    request = authorization_request(portal, "openid profile address")
    page = client.get(request.url)
    html = page.content.decode()
    for shown in ("Erika", "Mustermann", "1964-08-12", "Heidestraße 17, 51147 Köln"):
        assert shown in html
    code = code_from(consent(client, request.url), request.state)
    assert PortalConsent.objects.get().claims == [
        "sub",
        *("name", "given_name", "family_name", "birthdate"),
        "address",
    ]
    client.logout()
    access = json.loads(redeem(client, portal, code, request.verifier).content)["access_token"]
    info = json.loads(
        client.get(
            reverse("oauth2_provider:user-info"), HTTP_AUTHORIZATION=f"Bearer {access}"
        ).content
    )
    assert info == {
        "sub": str(citizen.pk),
        "name": "Erika Mustermann",
        "given_name": "Erika",
        "family_name": "Mustermann",
        "birthdate": "1964-08-12",
        "address": {
            "street_address": "Heidestraße 17",
            "postal_code": "51147",
            "locality": "Köln",
            "formatted": "Heidestraße 17\n51147 Köln",
        },
    }  # no e-mail: the email scope was not asked for
