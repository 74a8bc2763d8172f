"""The pages of the OpenID provider: authorization with consent, logout, the consent log.

The protocol endpoints (token, userinfo, JWKS, revocation) are django-oauth-toolkit's views
unchanged (see urls.py); the ones here add amtshilfe's rules to DOT's views.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RPInitiatedLogoutView,
)

from amtshilfe.core import trust
from amtshilfe.core.middleware import allow_form_to_redirect_to
from amtshilfe.core.trust import TrustLevel
from amtshilfe.openid import authentication, claims, selectors, services
from amtshilfe.openid.validators import AUTHENTICATION, CONSENT_GIVEN

if TYPE_CHECKING:
    from amtshilfe.openid.models import PortalConsent


class AuthorizeView(AuthorizationView):
    """Authorization endpoint: step-up when the portal asks for more, consent, the code.

    Order of a GET: log in (DOT's login-required mixin) → is the request valid for this portal
    (oauthlib) → does the session's trust level satisfy ``acr_values`` / an essential ``acr``
    claim, else step up and come back → a consent in force that covers the scopes lets the
    code go at once, otherwise the consent page asks.
    """

    template_name = "openid/authorize.html"
    #: True while handling the consent form: the validator then records the consent.
    records_consent = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        prompt = set(request.GET.get("prompt", "").split())
        if prompt & {"login", "create"}:
            return super().get(request, *args, **kwargs)  # DOT sends the person to log in
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        application = selectors.application_by_client_id(credentials["client_id"])
        required = authentication.required_level(
            request.GET.get("acr_values", ""), credentials.get("claims")
        )
        level = trust.level_of(request) or TrustLevel.NIEDRIG
        if required is not None and not level.satisfies(required):
            if "none" in prompt:
                return self._error_to_portal("interaction_required", credentials, application)
            return HttpResponseRedirect(trust.step_up_url(request, required))
        if "consent" not in prompt and selectors.consent_covers(
            user=request.user, application=application, scopes=scopes
        ):
            return self._authorize(scopes, credentials, application)
        if "none" in prompt:
            return self._error_to_portal("consent_required", credentials, application)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        self.records_consent = True
        return super().form_valid(form)

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        credentials = {
            **credentials,
            AUTHENTICATION: authentication.of_request(request),
            CONSENT_GIVEN: bool(allow and self.records_consent),
        }
        return super().create_authorization_response(request, scopes, credentials, allow)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        if "scopes" in context and not context.get("error"):
            context["shown_scopes"] = claims.shown_to_person(self.request.user, context["scopes"])
            context["redirect_host"] = urlsplit(context.get("redirect_uri") or "").hostname
            context["level"] = trust.level_of(self.request)
        return context

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> Any:
        response = super().render_to_response(context, **response_kwargs)
        if context.get("application") and context.get("redirect_uri"):
            # Only on the consent page, where oauthlib has checked the address.
            allow_form_to_redirect_to(response, context["redirect_uri"])
        return response

    def _authorize(
        self, scopes: list[str], credentials: dict[str, Any], application: Any
    ) -> HttpResponse:
        if isinstance(credentials.get("ui_locales"), list):
            credentials["ui_locales"] = " ".join(credentials["ui_locales"])
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _error_to_portal(
        self, error: str, credentials: dict[str, Any], application: Any
    ) -> HttpResponse:
        """An OIDC error (prompt=none could not be honoured) sent back to the portal."""
        parameters = {"error": error}
        if credentials.get("state"):
            parameters["state"] = credentials["state"]
        if oauth2_settings.COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS:
            parameters["iss"] = oauth2_settings.oauth2_authorization_server_issuer(self.request)
        redirect_uri = credentials["redirect_uri"]
        separator = "&" if "?" in redirect_uri else "?"
        return self.redirect(redirect_uri + separator + urlencode(parameters), application)


class DiscoveryView(ConnectDiscoveryInfoView):
    """DOT's discovery document, completed with what amtshilfe supports on top."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = json.loads(super().get(request, *args, **kwargs).content)
        document |= {
            "acr_values_supported": list(TrustLevel.values),
            "claims_parameter_supported": True,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "prompt_values_supported": ["none", "login", "consent"],
            "ui_locales_supported": ["de", "en"],
            "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
            "revocation_endpoint_auth_methods_supported": document[
                "token_endpoint_auth_methods_supported"
            ],
        }
        response = JsonResponse(document)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class LogoutView(RPInitiatedLogoutView):
    """RP-initiated logout; the confirmation page (when one is needed) is amtshilfe's."""

    template_name = "openid/logout.html"

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> Any:
        response = super().render_to_response(context, **response_kwargs)
        # Set only after DOT validated the request against the portal's registration.
        target = self.oidc_data.get("post_logout_redirect_uri")
        if target and not context.get("error"):
            allow_form_to_redirect_to(response, target)
        return response


@dataclass(frozen=True)
class ConsentRow:
    consent: PortalConsent
    data: list[str]  # what the claims mean to the person


@require_GET
@login_required
def consents(request: HttpRequest) -> HttpResponse:
    """The account's consents to portals: in force (with withdrawal) and the whole log."""
    rows = [
        ConsentRow(consent, claims.labels_of(consent.claims))
        for consent in selectors.consents_of(request.user)
    ]
    return render(
        request,
        "openid/consents.html",
        {"active": [row for row in rows if row.consent.is_active], "log": rows},
    )


@require_POST
@login_required
def withdraw_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    """Take a consent back; the portal's tokens for this account end with it."""
    consent = selectors.active_consent_of(user=request.user, consent_id=consent_id)
    services.withdraw_consent(consent=consent, actor=request.user)
    messages.success(
        request,
        _("Your consent is withdrawn: %(portal)s no longer receives your data.")
        % {"portal": consent.portal_name},
    )
    return redirect("openid:consents")
