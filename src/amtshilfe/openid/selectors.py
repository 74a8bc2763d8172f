"""Reads of the OpenID provider: portals, an account's own consents, a code's login."""

from __future__ import annotations

from typing import Any

from oauth2_provider.models import get_application_model, get_grant_model

from amtshilfe.openid.authentication import Authentication
from amtshilfe.openid.errors import ConsentNotFound
from amtshilfe.openid.models import GrantAuthentication, PortalConsent


def application_by_client_id(client_id: str) -> Any:
    """The registered portal with this client id (it was validated by oauthlib before)."""
    return get_application_model().objects.get(client_id=client_id)


def active_consent(*, user: Any, application: Any) -> PortalConsent | None:
    """The person's consent to this portal that is in force, if any."""
    return PortalConsent.objects.filter(
        user=user, application=application, withdrawn_at__isnull=True, replaced_at__isnull=True
    ).first()


def consent_covers(*, user: Any, application: Any, scopes: list[str]) -> bool:
    """Whether a consent in force already lets the portal have what these scopes release."""
    consent = active_consent(user=user, application=application)
    return consent is not None and consent.covers(scopes)


def consents_of(user: Any) -> list[PortalConsent]:
    """The account's log of consents, newest first."""
    return list(PortalConsent.objects.filter(user=user).select_related("application"))


def active_consent_of(*, user: Any, consent_id: int) -> PortalConsent:
    """One of the account's consents in force, or :class:`ConsentNotFound`."""
    consent = (
        PortalConsent.objects.filter(
            pk=consent_id,
            user=user,
            withdrawn_at__isnull=True,
            replaced_at__isnull=True,
            application__isnull=False,
        )
        .select_related("application")
        .first()
    )
    if consent is None:
        raise ConsentNotFound()
    return consent


def grant_for_exchange(code: str, application: Any = None) -> Any:
    """The authorization code (of the portal, if given) with its user and login, or None."""
    grants = get_grant_model().objects.select_related("user", "amtshilfe_authentication")
    if application is not None:
        grants = grants.filter(application=application)
    return grants.filter(code=code).first()


def authentication_of_grant(grant: Any) -> Authentication | None:
    """How the person had logged in when the authorization code was issued."""
    try:
        row: GrantAuthentication = grant.amtshilfe_authentication
    except GrantAuthentication.DoesNotExist:
        return None
    return Authentication(acr=row.acr, amr=list(row.amr), auth_time=row.auth_time)


def export_for(user: Any) -> dict[str, Any]:
    """The portals' part of a person's data export (registered with accounts.data_rights).

    Consents as given, and what each portal holds at the moment — never a token's value.
    """
    from oauth2_provider.models import (
        get_access_token_model,
        get_device_grant_model,
        get_id_token_model,
        get_refresh_token_model,
    )

    def held(model: Any, kind: str) -> list[dict[str, Any]]:
        rows = model.objects.filter(user=user).select_related("application")
        return [
            {
                "portal": str(row.application) if row.application_id else "",
                "kind": kind,
                "scope": getattr(row, "scope", ""),
                "created": _time(row.created),
                "expires": _time(getattr(row, "expires", None)),
                "revoked": _time(getattr(row, "revoked", None)),
            }
            for row in rows
        ]

    devices = [  # the device flow is not offered; DOT's table is shown all the same
        {
            "portal": row.client_id,
            "kind": "device authorization",
            "scope": row.scope,
            "expires": _time(row.expires),
            "status": row.status,
        }
        for row in get_device_grant_model().objects.filter(user=user)
    ]

    return {
        "consents": [
            {
                "portal": consent.portal_name,
                "scopes": consent.scopes,
                "data": consent.claims,
                "given": _time(consent.given_at),
                "withdrawn": _time(consent.withdrawn_at),
                "replaced": _time(consent.replaced_at),
            }
            for consent in PortalConsent.objects.filter(user=user)
        ],
        "held_by_portals": [
            *held(get_grant_model(), "authorization code"),
            *held(get_access_token_model(), "access token"),
            *held(get_refresh_token_model(), "refresh token"),
            *held(get_id_token_model(), "ID token"),
            *devices,
        ],
        # Portals are registered by operators without an owner account; listed for
        # completeness of DOT's tables.
        "portals_owned": [
            str(application) for application in get_application_model().objects.filter(user=user)
        ],
    }


def _time(value: Any) -> str | None:
    return value.isoformat() if value else None
