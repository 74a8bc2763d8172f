"""`amtshilfe check --deploy`: insecure production settings are errors, with a clear list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

KNOWN_INSECURE_KEYS = {"", "change-me", "changeme", "secret", "insecure", "django-insecure"}


def _secret_key() -> str:
    try:
        return str(settings.SECRET_KEY)
    except ImproperlyConfigured:
        return ""


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if not settings.PRODUCTION:
        problems.append(
            Error(
                "AMTSHILFE_MODE ist nicht 'production' / is not 'production'.",
                hint="Set AMTSHILFE_MODE=production for a public installation.",
                id="amtshilfe.E001",
            )
        )
    if settings.DEBUG:
        problems.append(
            Error(
                "DEBUG ist eingeschaltet / DEBUG is on: error pages would show internals.",
                hint="Unset DEBUG or set DEBUG=false.",
                id="amtshilfe.E002",
            )
        )
    key = _secret_key()
    if (
        len(key) < 50
        or len(set(key)) < 5
        or key.lower() in KNOWN_INSECURE_KEYS
        or key.startswith("django-insecure")
    ):
        problems.append(
            Error(
                "SECRET_KEY fehlt oder ist unsicher / SECRET_KEY is missing or weak.",
                hint="Set SECRET_KEY to at least 50 random characters, e.g. from "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
                id="amtshilfe.E003",
            )
        )
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if not hosts or "*" in hosts:
        problems.append(
            Error(
                "ALLOWED_HOSTS fehlt / ALLOWED_HOSTS is missing or '*'.",
                hint="Set ALLOWED_HOSTS to the installation's host names, comma-separated.",
                id="amtshilfe.E004",
            )
        )
    https = {
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
        "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS > 0,
    }
    missing = [name for name, ok in https.items() if not ok]
    if missing:
        problems.append(
            Error(
                "HTTPS-Einstellungen fehlen / HTTPS settings missing: " + ", ".join(missing) + ".",
                hint="In production these default to on; do not switch them off.",
                id="amtshilfe.E005",
            )
        )
    if (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        and settings.PRODUCTION
    ):
        problems.append(
            Warning(
                "SQLite im Produktivbetrieb / SQLite in production: fine for one small server, "
                "but only one writer at a time and no replicas.",
                hint="Set DATABASE_URL=postgres://… for the one-server and many-server tiers.",
                id="amtshilfe.W001",
            )
        )
    return problems
