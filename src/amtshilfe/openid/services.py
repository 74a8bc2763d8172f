"""Writes of the OpenID provider: consents given and withdrawn, a code's login."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
    revoke_access_token,
)

from amtshilfe.core import audit
from amtshilfe.openid.authentication import Authentication
from amtshilfe.openid.claims import claims_for
from amtshilfe.openid.models import GrantAuthentication, PortalConsent


def remember_authentication(*, grant: Any, authentication: Authentication) -> None:
    """Keep the login's acr/amr/auth_time beside the authorization code for the token."""
    GrantAuthentication.objects.create(
        grant=grant,
        acr=authentication.acr,
        amr=list(authentication.amr),
        auth_time=authentication.auth_time,
    )


@transaction.atomic
def record_consent(*, user: Any, application: Any, scopes: list[str]) -> PortalConsent:
    """The person agreed that the portal receives what ``scopes`` release (as shown to them).

    A consent in force for the same portal is replaced; both stay in the log.
    """
    now = timezone.now()
    PortalConsent.objects.filter(
        user=user, application=application, withdrawn_at__isnull=True, replaced_at__isnull=True
    ).update(replaced_at=now)
    consent = PortalConsent.objects.create(
        user=user,
        application=application,
        portal_name=str(application.name or application.client_id)[:255],
        scopes=sorted(set(scopes)),
        claims=list(claims_for(user, scopes)),
        given_at=now,
    )
    audit.record(actor=user, action="openid.consent.given", obj=consent)
    return consent


@transaction.atomic
def withdraw_consent(*, consent: PortalConsent, actor: Any) -> None:
    """The person takes a consent back: the portal loses every token it holds for them."""
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    revoke_portal_access(user=consent.user, application=consent.application)
    audit.record(actor=actor, action="openid.consent.withdrawn", obj=consent)


def revoke_portal_access(*, user: Any, application: Any) -> None:
    """End everything the portal holds for the person: codes, access, refresh and ID tokens."""
    get_grant_model().objects.filter(user=user, application=application).delete()
    for access_token in get_access_token_model().objects.filter(user=user, application=application):
        revoke_access_token(access_token)
    for refresh_token in get_refresh_token_model().objects.filter(
        user=user, application=application, revoked__isnull=True
    ):
        refresh_token.revoke()
    get_id_token_model().objects.filter(user=user, application=application).delete()
