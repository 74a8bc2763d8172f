"""How the person logged in, as the ID token tells a portal: ``acr``, ``amr``, ``auth_time``.

The trust level lives in the login session (amtshilfe.core.trust). The ID token, however, is
made at the token endpoint, which the portal calls server to server — without the person's
session. So the values are taken from the session when the authorization code is issued,
stored beside the code (:class:`amtshilfe.openid.models.GrantAuthentication`), and read back
when the portal exchanges the code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from amtshilfe.core import trust
from amtshilfe.core.trust import TrustLevel


@dataclass(frozen=True)
class Authentication:
    acr: str  # a TrustLevel value: niedrig / substanziell / hoch
    amr: list[str] = field(default_factory=list)  # RFC 8176 method names
    auth_time: int = 0  # seconds since the epoch

    def id_token_claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"acr": self.acr, "auth_time": self.auth_time}
        if self.amr:
            claims["amr"] = list(self.amr)
        return claims


def of_request(request: HttpRequest) -> Authentication:
    """The login of the request's session (the person is logged in)."""
    level = trust.level_of(request) or TrustLevel.NIEDRIG
    methods = trust.methods_of(request)
    auth_time = trust.auth_time_of(request)
    if auth_time is None:
        # A session from before the trust level was recorded: a password login (the level's
        # own default) at the time Django noted as the last login.
        methods = methods or ["pwd"]
        last_login = getattr(request.user, "last_login", None)
        auth_time = int(last_login.timestamp()) if last_login else 0
    return Authentication(acr=level.value, amr=methods, auth_time=auth_time)


def required_level(acr_values: str, claims: Any) -> TrustLevel | None:
    """The lowest trust level that satisfies what the portal asked for, or None.

    Portals ask with ``acr_values`` ("substanziell hoch": either will do) or with the
    ``claims`` parameter (``{"id_token": {"acr": {"essential": true, "values": [...]}}}``).
    Values that are no trust level of ours are ignored.
    """
    wanted = acr_values.split()
    acr = _id_token_acr_request(claims)
    if acr:
        wanted += [acr["value"]] if "value" in acr else list(acr.get("values") or [])
    levels = [TrustLevel(value) for value in wanted if value in TrustLevel.values]
    return min(levels, key=lambda level: level.rank) if levels else None


def _id_token_acr_request(claims: Any) -> dict[str, Any] | None:
    if isinstance(claims, str):
        try:
            claims = json.loads(claims)
        except ValueError:
            return None
    if not isinstance(claims, dict):
        return None
    id_token = claims.get("id_token")
    acr = id_token.get("acr") if isinstance(id_token, dict) else None
    return acr if isinstance(acr, dict) else None
