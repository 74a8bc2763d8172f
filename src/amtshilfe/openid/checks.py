"""`amtshilfe check --deploy`: a production installation signs ID tokens with its own key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from oauth2_provider.settings import oauth2_settings


@register(Tags.security, deploy=True)
def signing_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.PRODUCTION and not oauth2_settings.OIDC_RSA_PRIVATE_KEY:
        return [
            Error(
                "OIDC_SIGNING_KEY fehlt / is not set: linked portals cannot log people in, "
                "and a generated key would differ between servers and releases.",
                hint="Set OIDC_SIGNING_KEY to an RSA private key (PEM, at least 2048 bits), "
                "e.g. from `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072`; "
                "the same on every web process (docs/operations.md).",
                id="amtshilfe.openid.E001",
            )
        ]
    return []
