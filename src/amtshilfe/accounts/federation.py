"""Logging in with an external OpenID Connect provider (authorization code + PKCE).

authlib makes the requests (discovery, token), joserfc checks the ID token's signature
against the provider's JWKS and its claims (issuer, audience, expiry, nonce). The first login
links the identity to the account that is logged in, or creates a new account; attributes
go into the profile with their source; the session's trust level comes from ``acr``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from amtshilfe.accounts import events, services
from amtshilfe.accounts.models import ExternalIdentity, IdentityProvider, ProfileAttribute, User
from amtshilfe.core.trust import TrustLevel

TIMEOUT = 10
METADATA_SECONDS = 3600
STATE_KEY = "amtshilfe.accounts.federation"


class FederationError(Exception):
    """The provider's answer cannot be used (shown generally; the detail goes to no log)."""


class EmailTaken(FederationError):
    """An account with the provider's e-mail address exists: log in to link it."""


@dataclass(frozen=True)
class Outcome:
    user: User
    level: TrustLevel
    created: bool


def providers(*, reaching: TrustLevel | None = None) -> list[IdentityProvider]:
    """Enabled providers by name; with ``reaching``, those whose logins can have that level."""
    found = list(IdentityProvider.objects.filter(enabled=True).order_by("name"))
    if reaching is None:
        return found
    return [
        p
        for p in found
        if reaching.value in p.acr_mapping.values() or p.default_level == reaching.value
    ]


def provider(slug: str) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(slug=slug, enabled=True).first()


def metadata(provider: IdentityProvider) -> dict[str, Any]:
    key = f"accounts:idp-metadata:{provider.pk}:{provider.issuer}"
    data = cache.get(key)
    if data is None:
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=TIMEOUT)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            raise FederationError("discovery failed") from error
        if data.get("issuer", "").rstrip("/") != provider.issuer.rstrip("/"):
            raise FederationError("issuer mismatch")
        cache.set(key, data, METADATA_SECONDS)
    return dict(data)


def _client(provider: IdentityProvider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
        default_timeout=TIMEOUT,
    )


def start(
    session: Any, provider: IdentityProvider, redirect_uri: str, *, next_url: str, acr: str = ""
) -> str:
    """The provider's authorization URL; what the callback checks is kept in ``session``."""
    verifier = generate_token(48)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    extra = {"nonce": nonce}
    if acr:
        extra["acr_values"] = acr
    url, _state = _client(provider, redirect_uri).create_authorization_url(
        metadata(provider)["authorization_endpoint"],
        state=state,
        code_verifier=verifier,
        **extra,
    )
    session[STATE_KEY] = {
        "provider": provider.pk,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
    }
    return str(url)


def finish(
    session: Any,
    provider: IdentityProvider,
    redirect_uri: str,
    query: dict[str, str],
    current_user: Any,
) -> tuple[Outcome, str]:
    """Check the callback, redeem the code, check the ID token; link or create the account."""
    pending = session.pop(STATE_KEY, None)
    if not pending or pending["provider"] != provider.pk:
        raise FederationError("no login in progress")
    if "error" in query:
        raise FederationError(query.get("error", ""))
    if not secrets.compare_digest(query.get("state", ""), pending["state"]):
        raise FederationError("state mismatch")
    meta = metadata(provider)
    client = _client(provider, redirect_uri)
    try:
        token = client.fetch_token(
            meta["token_endpoint"],
            grant_type="authorization_code",
            code=query.get("code", ""),
            code_verifier=pending["verifier"],
        )
    except Exception as error:  # authlib raises its OAuthError and requests' errors
        raise FederationError("token request failed") from error
    claims = _id_token_claims(provider, meta, token.get("id_token", ""), pending["nonce"])
    if meta.get("userinfo_endpoint"):
        try:
            info = client.get(meta["userinfo_endpoint"]).json()
        except (requests.RequestException, ValueError) as error:
            raise FederationError("userinfo failed") from error
        if info.get("sub") != claims["sub"]:
            raise FederationError("userinfo subject mismatch")
        claims = {**info, **claims}
    level = level_for(provider, claims.get("acr"))
    outcome = _account(provider, claims, level, current_user)
    return outcome, str(pending.get("next") or "")


def _id_token_claims(
    provider: IdentityProvider, meta: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    try:
        keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=TIMEOUT).json())
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, requests.RequestException, ValueError, KeyError) as error:
        raise FederationError("ID token not valid") from error
    return dict(token.claims)


def level_for(provider: IdentityProvider, acr: Any) -> TrustLevel:
    """The trust level the provider's ``acr`` stands for (its mapping, else its default)."""
    mapped = provider.acr_mapping.get(str(acr)) if acr else None
    try:
        return TrustLevel(mapped or provider.default_level)
    except ValueError:
        return TrustLevel.NIEDRIG


@transaction.atomic
def _account(
    provider: IdentityProvider, claims: dict[str, Any], level: TrustLevel, current_user: Any
) -> Outcome:
    subject = str(claims["sub"])
    link = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )
    created = False
    if link is not None:
        user = link.user
        if current_user is not None and current_user.pk != user.pk:
            raise FederationError("identity linked to another account")
    elif current_user is not None:
        user = current_user
    else:
        email = str(claims.get("email") or "").strip().lower()
        if not email:
            raise FederationError("no e-mail address")
        if User.objects.filter(email=email).exists():
            raise EmailTaken("account exists")
        user = User.objects.create_user(
            email,
            None,
            full_name=str(claims.get("name") or "").strip()[:200],
            kind=User.Kind.CITIZEN,
        )
        created = True
        events.record(user, "user.registered_with_provider")
    if link is None:
        link = ExternalIdentity.objects.create(user=user, provider=provider, subject=subject)
        events.record(user, "external_identity.linked")
    link.last_login_at = timezone.now()
    link.save(update_fields=["last_login_at"])
    if not user.is_active:
        raise FederationError("account not active")
    values = {
        item: _text(_claim(claims, claim))
        for claim, item in provider.claim_mapping.items()
        if item in ProfileAttribute.Name.values and _claim(claims, claim) not in (None, "")
    }
    if values:
        services.set_profile(
            user,
            values,
            source=provider.slug,
            source_label=provider.name,
            verified=provider.attributes_verified or level == TrustLevel.HOCH,
        )
    return Outcome(user=user, level=level, created=created)


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or inside a structured one: "address.postal_code"."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _text(value: Any) -> str:
    if isinstance(value, dict):  # OIDC "address" claim
        return str(value.get("formatted") or value.get("street_address") or "")
    return str(value)[:300]
