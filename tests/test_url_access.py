"""The access matrix, generated: every URL of the URL conf × every role × own/foreign/delegated.

A route that is missing from ROUTES fails ``test_every_route_is_in_the_access_table``, so a
new page cannot be added without saying who may open it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from amtshilfe.catalog.models import Service
from amtshilfe.core.access import Role
from tests.factories import delegation, member

pytestmark = pytest.mark.django_db

ROLES = [None, *Role.values]  # None: not logged in
RELATIONS = ["own", "foreign", "delegated"]

# What a role may open, per kind of route. Anything else: 404 for a foreign or delegated
# organisation (not told apart from a missing one), 403 inside one's own organisation.
PUBLIC = "public"  # anyone, logged in or not
LOGGED_IN = "logged-in"  # any account; anonymous users are sent to the login page
ORG_VIEW = "org-view"  # internal data of an organisation: members with VIEW (operators: all)
ORG_AUDIT = "org-audit"  # audit trail: municipal admins of the organisation, operators
ORG_MANAGE = "org-manage"  # offerings, rules, delegations: municipal admins, operators
POST_ONLY = "post-only"  # GET is refused: 405
PUBLIC_LOOKUP = "public-lookup"  # anyone; 404 (a problem response) where nothing is found
PUBLIC_API_ROOT = "api-root"  # the API's prefix itself is no endpoint: 404 for everyone
LOGIN_PAGE = "login-page"  # anyone; a logged-in user is sent on to the dashboard
LANGUAGE_SWITCH = "language-switch"  # changes only on POST; GET just sends the user back
OPERATOR_ADMIN = "operator-admin"
OIDC_AUTHORIZE = "oidc-authorize"  # login first; logged in, a request without parameters: 400
BEARER_TOKEN = "bearer-token"  # OIDC userinfo: only with an access token, 401 for a session
OIDC_LOGOUT = "oidc-logout"  # RP-initiated logout: a logged-in person is asked, others go home
OTHER_MAILBOX = "other-mailbox"  # in another account's Postfach: 404 for all, operators too
ANON_ONLY = "anon-only"  # registration: anyone not logged in; logged-in users go to their account
STEP = "step"  # a step of a flow: without it, everyone is sent on (anonymous users to login)

ROUTES: dict[str, str] = {
    "core:healthz": PUBLIC,
    "core:readyz": PUBLIC,
    "organisations:home": PUBLIC,
    "organisations:portal": PUBLIC,
    "regions:detail": PUBLIC,
    "accounts:login": LOGIN_PAGE,
    "accounts:logout": POST_ONLY,
    "accounts:account": LOGGED_IN,
    "accounts:second_factor": STEP,
    "accounts:register": ANON_ONLY,
    "accounts:register_done": PUBLIC,
    "accounts:confirm_email": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:security": LOGGED_IN,
    "accounts:step_up": LOGGED_IN,
    "accounts:totp_setup": LOGGED_IN,
    "accounts:recovery_codes": STEP,
    "accounts:remove_second_factor": POST_ONLY,
    "accounts:end_session": POST_ONLY,
    "accounts:profile": LOGGED_IN,
    "accounts:data": LOGGED_IN,
    "accounts:export_json": LOGGED_IN,
    "accounts:export_pdf": LOGGED_IN,
    "accounts:passkey_register_options": POST_ONLY,
    "accounts:passkey_register": POST_ONLY,
    "accounts:passkey_remove": POST_ONLY,
    "accounts:passkey_login_options": POST_ONLY,
    "accounts:passkey_login": POST_ONLY,
    "accounts:provider_start": PUBLIC_LOOKUP,
    "accounts:provider_callback": PUBLIC_LOOKUP,
    "set_language": LANGUAGE_SWITCH,
    "organisations:dashboard": LOGGED_IN,
    "organisations:staff": ORG_VIEW,
    "organisations:audit": ORG_AUDIT,
    "catalog_staff:offerings": ORG_MANAGE,
    "catalog_staff:responsibilities": ORG_MANAGE,
    "catalog_staff:responsibility_delete": POST_ONLY,
    "catalog_staff:delegations": ORG_MANAGE,
    "catalog_staff:delegation_end": ORG_MANAGE,
    "catalog:search": PUBLIC,
    "catalog:service": PUBLIC,
    "api:api-root": PUBLIC_API_ROOT,
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:search": PUBLIC,
    "api:service": PUBLIC,
    "api:organisation": PUBLIC,
    "api:responsibility": PUBLIC_LOOKUP,
    "oauth2_provider:authorize": OIDC_AUTHORIZE,
    "oauth2_provider:token": POST_ONLY,
    "oauth2_provider:revoke-token": POST_ONLY,
    "oauth2_provider:user-info": BEARER_TOKEN,
    "oauth2_provider:rp-initiated-logout": OIDC_LOGOUT,
    "oauth2_provider:oidc-connect-discovery-info": PUBLIC,
    "oauth2_provider:jwks-info": PUBLIC,
    "oauth2_provider:oauth-server-metadata": PUBLIC,
    "openid:consents": LOGGED_IN,
    "openid:consent_withdraw": POST_ONLY,
    "postbox:inbox": LOGGED_IN,
    "postbox:message": OTHER_MAILBOX,
    "postbox:reply": POST_ONLY,
    "postbox:attachment": OTHER_MAILBOX,
}


def named_routes(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the operators' admin: tested in test_admin_is_for_operators_only
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_is_in_the_access_table():
    assert named_routes() == set(ROUTES)


@pytest.fixture
def world(hesse):
    from amtshilfe.organisations.models import Organisation

    ours = Organisation.objects.get(slug="fulda")
    delegating = Organisation.objects.get(slug="dipperz")
    foreign = Organisation.objects.get(slug="giessen")
    delegation(delegating, ours, scope="all")
    Service.objects.create(slug="hundesteuer", name_de="Hundesteuer")
    return {"own": ours, "foreign": foreign, "delegated": delegating}


PUBLIC_QUERIES = {
    "catalog:search": "?q=Hund",
    "api:search": "?q=Hund",
    "api:responsibility": "?service=hundesteuer&ars=066310009009",
}


STAFF_PAGES = {
    "catalog_staff:offerings",
    "catalog_staff:responsibilities",
    "catalog_staff:delegations",
}


def url_for(name: str, organisation) -> str:
    if name in {"organisations:portal", "organisations:staff", "organisations:audit"}:
        return reverse(name, kwargs={"slug": organisation.slug})
    if name in STAFF_PAGES:
        return reverse(name, kwargs={"slug": organisation.slug})
    if name == "catalog_staff:responsibility_delete":
        return reverse(name, kwargs={"slug": organisation.slug, "rule_id": 1})
    if name == "catalog_staff:delegation_end":
        agreement = _agreement_given_by(organisation)
        return reverse(name, kwargs={"slug": organisation.slug, "agreement_id": agreement.pk})
    if name == "api:organisation":
        return reverse(name, kwargs={"slug": organisation.slug})
    if name == "openid:consent_withdraw":
        return reverse(name, kwargs={"consent_id": 1})
    if name in {"accounts:confirm_email", "accounts:password_reset_confirm"}:
        return reverse(name, kwargs={"uidb64": "MQ", "token": "invalid-token"})
    if name == "accounts:end_session":
        return reverse(name, kwargs={"session_id": 1})
    if name == "accounts:passkey_remove":
        return reverse(name, kwargs={"passkey_id": 1})
    if name in {"accounts:provider_start", "accounts:provider_callback"}:
        return reverse(name, kwargs={"slug": "unknown-provider"})
    if name in {"postbox:message", "postbox:reply", "postbox:attachment"}:
        return _url_in_someone_elses_postbox(name, organisation)
    if name in {"catalog:service", "api:service"}:
        return reverse(name, kwargs={"slug": "hundesteuer"})
    if name in PUBLIC_QUERIES:
        return reverse(name) + PUBLIC_QUERIES[name]
    if name == "regions:detail":
        return reverse(name, kwargs={"ars": organisation.region.ars})
    return reverse(name)


def _agreement_given_by(organisation):
    """An agreement the organisation gives (the own one gives none in ``world``)."""
    from amtshilfe.organisations.models import DelegationAgreement, Organisation

    given = DelegationAgreement.objects.filter(delegating=organisation).first()
    return given or delegation(organisation, Organisation.objects.get(slug="buedingen"))


def _url_in_someone_elses_postbox(name: str, organisation) -> str:
    """A message of ``organisation`` (with an attachment) in a citizen's Postfach."""
    from amtshilfe.postbox import services
    from amtshilfe.postbox.models import Attachment
    from tests.factories import UserFactory

    message = services.send_message(
        sender=organisation,
        to_user=UserFactory(kind="citizen"),
        subject="Bescheid",
        text="…",
        kind="notice",
        replies_allowed=True,
    )
    if name == "postbox:attachment":
        attachment = Attachment.objects.create(  # no file: access is refused before it is read
            message=message,
            file="postbox/attachments/none",
            filename="a.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
        return reverse(name, kwargs={"attachment_id": attachment.pk})
    return reverse(name, kwargs={"message_id": message.pk})


def expected_status(kind: str, role: str | None, relation: str) -> int | set[int]:
    if kind == PUBLIC:
        return {200, 503}  # readyz may be 503 without a worker; it still answers anyone
    if kind == PUBLIC_LOOKUP:
        return {200, 404}
    if kind == PUBLIC_API_ROOT:
        return 404
    if kind == POST_ONLY:
        return 405
    if kind == LANGUAGE_SWITCH:
        return {204, 302}
    if kind in {LOGIN_PAGE, ANON_ONLY}:
        return 200 if role is None else 302
    if kind == STEP:
        return 302
    if kind == BEARER_TOKEN:
        return 401
    if kind == OIDC_LOGOUT:
        return 302 if role is None else 200
    if role is None:
        return 302  # to the login page
    if kind == OIDC_AUTHORIZE:
        return 400
    if kind == OTHER_MAILBOX:
        return 404
    if kind == LOGGED_IN:
        return 200
    if role == Role.PLATFORM_OPERATOR:
        return 200
    if relation != "own":
        return 404
    if kind == ORG_VIEW:
        return 200
    if kind in {ORG_AUDIT, ORG_MANAGE}:
        return 200 if role == Role.MUNICIPAL_ADMIN else 403
    raise AssertionError(f"no rule for {kind}")


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_access(client, world, name, role, relation):
    if role is not None:
        client.force_login(member(world["own"], role))
    response = client.get(url_for(name, world[relation]))
    expected = expected_status(ROUTES[name], role, relation)
    allowed = expected if isinstance(expected, set) else {expected}
    assert response.status_code in allowed, (name, role, relation, response.status_code)
    if response.status_code == 302 and ROUTES[name] == LOGIN_PAGE:
        assert response["Location"] == reverse("organisations:dashboard")
    elif response.status_code == 302 and ROUTES[name] == OIDC_LOGOUT:
        assert response["Location"] == "http://testserver/"  # nobody to log out: home
    elif response.status_code == 302 and (
        ROUTES[name] not in {LANGUAGE_SWITCH, ANON_ONLY, STEP}
        or (role is None and ROUTES[name] != LANGUAGE_SWITCH)
    ):
        assert response["Location"].startswith(reverse("accounts:login"))


def test_foreign_and_missing_organisation_answer_alike(client, world):
    client.force_login(member(world["own"], Role.MUNICIPAL_ADMIN))
    foreign = client.get(reverse("organisations:audit", kwargs={"slug": world["foreign"].slug}))
    missing = client.get(reverse("organisations:audit", kwargs={"slug": "gibt-es-nicht"}))
    assert foreign.status_code == missing.status_code == 404
    assert _main(foreign) == _main(missing)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_operators_only(client, world, role):
    if role is not None:
        user = member(world["own"], role)
        user.is_staff = True  # even with the admin flag, only operators get in
        user.save()
        client.force_login(user)
    for path in (
        "/admin/organisations/organisation/",
        "/admin/core/auditentry/",
        "/admin/django_tasks_database/dbtaskresult/",
    ):
        response = client.get(path)
        if role == Role.PLATFORM_OPERATOR:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
