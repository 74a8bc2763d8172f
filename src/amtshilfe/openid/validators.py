"""amtshilfe's additions to django-oauth-toolkit's request validator.

- When an authorization code is issued, how the person logged in (``acr``/``amr``/
  ``auth_time``, taken from the session by the authorization view) is stored beside the code,
  and a consent just given is recorded — in the same transaction as the code.
- At the token endpoint those values are read back with the code and go into the ID token;
  the code's grant is read once per token request (DOT reads it several times).
- The claims come from :func:`amtshilfe.openid.claims.claims_for`.
- A refresh gives a new access token but no new ID token (OIDC Core 12.2 allows that): the ID
  token describes a login, and a refresh is none.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from oauth2_provider.models import get_access_token_model, get_id_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from amtshilfe.openid import claims, selectors, services
from amtshilfe.openid.authentication import Authentication

#: Attributes the authorization view puts on oauthlib's request (through "credentials").
AUTHENTICATION = "amtshilfe_authentication"
CONSENT_GIVEN = "amtshilfe_consent_given"
#: The grant (code) a token request exchanges, read once.
GRANT = "amtshilfe_grant"

AccessToken = get_access_token_model()
IDToken = get_id_token_model()


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        claim: scope for scope, names in claims.SCOPE_CLAIMS.items() for claim in names
    }

    def _create_authorization_code(self, request: Any, code: Any, expires: Any = None) -> Any:
        with transaction.atomic():
            grant = super()._create_authorization_code(request, code, expires)
            login = getattr(request, AUTHENTICATION, None)
            if login is not None:
                services.remember_authentication(grant=grant, authentication=login)
            if getattr(request, CONSENT_GIVEN, False):
                services.record_consent(
                    user=request.user, application=request.client, scopes=request.scopes
                )
        return grant

    # --- the code exchange: the grant is read once, not six times -----------------------

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """DOT 3.4.1's check of the code, step by step, but the grant is read with its user and
        login in one query and kept for the later questions about the same code (PKCE
        challenge, redirect address, nonce), which DOT answers with a query each."""
        grant = self._grant_read(code, request)
        if grant is None or grant.application_id != client.pk:
            grant = selectors.grant_for_exchange(code, client)
        if grant is None or grant.is_expired():
            return False
        request.scopes = grant.scope.split(" ")
        request.user = grant.user
        if grant.nonce:
            request.nonce = grant.nonce
        if grant.claims:
            request.claims = json.loads(grant.claims)
        setattr(request, GRANT, grant)
        setattr(request, AUTHENTICATION, selectors.authentication_of_grant(grant))
        return True

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Any
    ) -> list[str]:
        """Asked first (before the client is known) to tell an OIDC request: the grant is read
        here, with everything the later steps need; validate_code checks it is the client's."""
        grant = selectors.grant_for_exchange(code)
        if grant is None:
            return []
        setattr(request, GRANT, grant)
        return [scope for scope in grant.scope.split(" ") if scope]

    def _grant_read(self, code: str, request: Any) -> Any:
        grant = getattr(request, GRANT, None)
        return grant if grant is not None and grant.code == code else None

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        grant = self._grant_read(code, request)
        if grant is None:
            return super().get_code_challenge(code, request)
        return grant.code_challenge or None

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        grant = self._grant_read(code, request)
        if grant is None:
            return super().get_code_challenge_method(code, request)
        return grant.code_challenge_method or None

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, *args: Any, **kwargs: Any
    ) -> bool:
        request = args[0] if args else kwargs.get("request")
        grant = self._grant_read(code, request)
        if grant is None:
            return bool(
                super().confirm_redirect_uri(client_id, code, redirect_uri, client, *args, **kwargs)
            )
        return bool(grant.redirect_uri_allowed(redirect_uri))

    def get_authorization_code_nonce(
        self, client_id: str, code: str, redirect_uri: str, request: Any
    ) -> str | None:
        grant = self._grant_read(code, request)
        if grant is None:
            return super().get_authorization_code_nonce(client_id, code, redirect_uri, request)
        return grant.nonce or None

    def _create_access_token(
        self, expires: Any, request: Any, token: dict[str, Any], source_refresh_token: Any = None
    ) -> Any:
        """DOT 3.4.1's ``_create_access_token``, linking the ID token this request has just
        made (``request.id_token``) instead of parsing, verifying and looking it up again."""
        id_token = getattr(request, "id_token", None) if token.get("id_token") else None
        if token.get("id_token") and not isinstance(id_token, IDToken):
            return super()._create_access_token(expires, request, token, source_refresh_token)
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            id_token=id_token,
            application=request.client,
            source_refresh_token=source_refresh_token,
            resource=getattr(request, "resource", []),  # RFC 8707
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save()
        return access_token

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return claims.claims_for(request.user, request.scopes)

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [*claims.SUPPORTED_CLAIMS, "acr", "amr", "auth_time"]

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        id_claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        login: Authentication | None = getattr(request, AUTHENTICATION, None)
        if login is not None:
            id_claims.update(login.id_token_claims())
        return id_claims, expiration_time

    # prompt=none: oauthlib asks these while validating, before it knows the person. The
    # authorization view answers login_required / consent_required / interaction_required.
    def validate_silent_login(self, request: Any) -> bool:
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        return True

    def refresh_id_token(self, request: Any) -> bool:
        return False
