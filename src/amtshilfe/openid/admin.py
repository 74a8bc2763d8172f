"""Portals (OIDC clients) are registered by the operators, in the operators' admin.

Only two kinds: *confidential* clients (a server-side portal with a client secret) and
*public* clients (no secret, e.g. an app); both use the authorization code flow with PKCE.
Redirect addresses must be https; plain http is accepted only for a portal under
development on the same machine (127.0.0.1, [::1], localhost) and only outside production.
The person's consents are shown read-only: only the person can give or withdraw them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from oauth2_provider.forms import ApplicationForm
from oauth2_provider.models import get_application_model
from oauth2_provider.settings import oauth2_settings

from amtshilfe.core.admin_site import AuditedModelAdmin, operator_admin
from amtshilfe.openid.models import PortalConsent

Application = get_application_model()

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
MINIMUM_SECRET_LENGTH = 64


def check_redirect_uris(value: str, *, required: bool) -> str:
    """Space-separated redirect addresses: https, or http on loopback outside production."""
    uris = value.split()
    if required and not uris:
        raise forms.ValidationError(_("Enter at least one address."))
    http_allowed = "http" in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    for uri in uris:
        parts = urlsplit(uri)
        if parts.fragment or "#" in uri:
            raise forms.ValidationError(
                _("%(uri)s: an address must not contain “#”."), params={"uri": uri}
            )
        if parts.scheme == "https" and parts.hostname:
            continue
        if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS and http_allowed:
            continue
        raise forms.ValidationError(
            _(
                "%(uri)s: addresses must begin with https://. Only a portal under development "
                "on this machine may use http://127.0.0.1, http://[::1] or http://localhost, "
                "and not in production."
            ),
            params={"uri": uri},
        )
    return " ".join(uris)


class PortalForm(ApplicationForm):
    """DOT's form (it shows model errors of fields the form leaves out), fewer choices."""

    class Meta:
        model = Application
        fields = (
            "name",
            "client_type",
            "client_id",
            "client_secret",
            "redirect_uris",
            "post_logout_redirect_uris",
        )
        labels = {
            "name": _("Name of the portal (shown to people on the consent page)"),
            "redirect_uris": _("Redirect addresses (space-separated)"),
            "post_logout_redirect_uris": _("Addresses after logout (space-separated)"),
        }
        widgets = {
            "client_type": forms.RadioSelect,
            "redirect_uris": forms.Textarea(attrs={"rows": 3}),
            "post_logout_redirect_uris": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["client_type"].help_text = _(
            "Confidential: a portal on a server, which keeps the client secret. Public: an app "
            "or a page in the browser, which cannot keep a secret. Both must use PKCE (S256)."
        )
        self.fields["client_secret"].help_text = _(
            "Generated for you (128 characters). Copy it now and hand it to the portal's "
            "operator over a secure channel: it is stored only as a hash. To rotate it, enter a "
            "new random value of at least 64 characters."
        )

    def clean_redirect_uris(self) -> str:
        return check_redirect_uris(self.cleaned_data.get("redirect_uris", ""), required=True)

    def clean_post_logout_redirect_uris(self) -> str:
        value = self.cleaned_data.get("post_logout_redirect_uris", "")
        return check_redirect_uris(value, required=False)

    def clean_client_secret(self) -> str:
        secret: str = self.cleaned_data.get("client_secret", "")
        try:
            identify_hasher(secret)
        except ValueError:
            if len(secret) < MINIMUM_SECRET_LENGTH:
                raise forms.ValidationError(
                    _("A client secret must be a random value of at least %(length)d characters."),
                    params={"length": MINIMUM_SECRET_LENGTH},
                ) from None
        return secret

    def _post_clean(self) -> None:
        # What the operator does not choose: the code flow, RS256 ID tokens, hashed secrets,
        # consent always asked, no owner account, registered by hand.
        self.instance.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        self.instance.algorithm = Application.RS256_ALGORITHM
        self.instance.hash_client_secret = True
        self.instance.skip_authorization = False
        self.instance.user = None
        super()._post_clean()


@admin.register(Application, site=operator_admin)
class PortalAdmin(AuditedModelAdmin):
    form = PortalForm
    list_display = ["name", "client_type", "client_id", "created"]
    list_filter = ["client_type"]
    search_fields = ["name", "client_id"]
    ordering = ["name"]
    # The secret (even hashed) stays out of the audit trail.
    audit_fields = (
        "name",
        "client_type",
        "client_id",
        "redirect_uris",
        "post_logout_redirect_uris",
        "authorization_grant_type",
        "algorithm",
    )
    audit_organisation_field = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("client_id",) if obj is not None else ()


@admin.register(PortalConsent, site=operator_admin)
class PortalConsentAdmin(AuditedModelAdmin):
    list_display = ["portal_name", "user", "given_at", "withdrawn_at", "replaced_at"]
    list_filter = ["application"]
    list_select_related = ["user"]
    search_fields = ["user__email", "portal_name"]
    date_hierarchy = "given_at"
    audit_organisation_field = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
