"""Which personal data a linked portal receives: the scopes, their claims, and the values.

:func:`claims_for` is the one place that turns an account into OIDC claims; the ID token,
the userinfo endpoint and the consent page all read from it, so what the person is shown
before consenting is exactly what the portal gets. A claim is given only when the account
has data for it (an empty name is left out, not sent as ``""``). Name, date of birth and
address come from the account's profile (``accounts.services.profile_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from amtshilfe.accounts import services as accounts_services
from amtshilfe.accounts.models import User

#: Scope → the claims it releases (OpenID Connect Core 1.0, section 5.4), in display order.
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name", "given_name", "family_name", "birthdate"),
    "email": ("email", "email_verified"),
    "address": ("address",),
}

SCOPE_LABELS: dict[str, Promise] = {
    "openid": _("Your user account"),
    "profile": _("Your name and date of birth"),
    "email": _("Your e-mail address"),
    "address": _("Your postal address"),
}

CLAIM_LABELS: dict[str, Promise] = {
    "sub": _("Identifier of your user account"),
    "name": _("Name"),
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "birthdate": _("Date of birth"),
    "email": _("E-mail address"),
    "email_verified": _("E-mail address confirmed"),
    "address": pgettext_lazy("postal", "Address"),
}

#: Every claim the provider can give, for the discovery document.
SUPPORTED_CLAIMS = [claim for claims in SCOPE_CLAIMS.values() for claim in claims]


def claims_for(user: User, scopes: list[str] | tuple[str, ...] | set[str]) -> dict[str, Any]:
    """The claims of ``user`` that the given scopes release, only those with data."""
    available = _account_claims(user)
    return {
        claim: available[claim]
        for scope, claims in SCOPE_CLAIMS.items()
        if scope in scopes
        for claim in claims
        if available.get(claim) not in (None, "", {})
    }


def _account_claims(user: User) -> dict[str, Any]:
    profile = {name: item.value for name, item in accounts_services.profile_of(user).items()}
    given, family = profile.get("given_name", ""), profile.get("family_name", "")
    return {
        "sub": str(user.pk),
        "name": user.full_name.strip() or " ".join(part for part in (given, family) if part),
        "given_name": given,
        "family_name": family,
        "birthdate": profile.get("birth_date", ""),  # ISO 8601, as OIDC wants it
        "email": user.email,
        # A citizen's account becomes active only by following the link sent to the address
        # (accounts.services.confirm_email); other accounts were set up by an operator.
        "email_verified": user.kind == User.Kind.CITIZEN and user.is_active,
        "address": _address(profile),
    }


def _address(profile: dict[str, str]) -> dict[str, str]:
    """OIDC's structured address claim (Core 5.1.1), only with the parts on record."""
    parts = {
        "street_address": profile.get("street", ""),
        "postal_code": profile.get("postal_code", ""),
        "locality": profile.get("city", ""),
        "country": profile.get("country", ""),
    }
    address = {key: value for key, value in parts.items() if value}
    if address:
        town = " ".join(x for x in (parts["postal_code"], parts["locality"]) if x)
        address["formatted"] = "\n".join(
            x for x in (parts["street_address"], town, parts["country"]) if x
        )
    return address


@dataclass(frozen=True)
class ShownClaim:
    claim: str
    label: str
    value: str


@dataclass(frozen=True)
class ShownScope:
    scope: str
    label: str
    claims: list[ShownClaim]


def shown_to_person(user: User, scopes: list[str] | tuple[str, ...]) -> list[ShownScope]:
    """The claims of :func:`claims_for` as the consent page lists them: label and value."""
    claims = claims_for(user, scopes)
    shown = []
    for scope in SCOPE_CLAIMS:
        if scope not in scopes:
            continue
        rows = [
            ShownClaim(claim, str(CLAIM_LABELS[claim]), display_value(claims[claim]))
            for claim in SCOPE_CLAIMS[scope]
            if claim in claims
        ]
        shown.append(ShownScope(scope, str(SCOPE_LABELS[scope]), rows))
    return shown


def labels_of(claim_names: list[str]) -> list[str]:
    """What a list of claim names means to the person, in their language."""
    return [str(CLAIM_LABELS[name]) for name in claim_names if name in CLAIM_LABELS]


def display_value(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict):  # the structured address claim
        return str(value.get("formatted", "")).replace("\n", ", ")
    return str(value)
