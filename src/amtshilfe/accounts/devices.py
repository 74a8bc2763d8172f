"""Open logins ("Sitzungen") and known browsers of an account.

Each login records a :class:`LoginSession`, so the person sees where they are logged in and
can end any of those sessions. A long-lived random cookie recognises a browser that logged
in before; a login from a new one sends a notice by e-mail (not for the very first login).
Devices are described coarsely ("Firefox, Android"): no address, no full user agent.
"""

from __future__ import annotations

import hashlib
import secrets
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from amtshilfe.accounts import tasks
from amtshilfe.accounts.models import KnownDevice, LoginSession
from amtshilfe.core import trust
from amtshilfe.core.errors import NotFound

COOKIE = "amtshilfe_device"
COOKIE_AGE = 365 * 24 * 3600
BROWSERS = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


def describe(user_agent: str) -> str:
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "Browser")
    system = next((name for marker, name in SYSTEMS if marker in user_agent), "")
    return f"{browser}, {system}" if system else browser


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def note_login(request: HttpRequest, user: Any) -> None:
    """Record the session and the browser of a login that has just happened."""
    device = describe(request.META.get("HTTP_USER_AGENT", ""))
    token = request.COOKIES.get(COOKIE, "")
    known = bool(token) and KnownDevice.objects.filter(user=user, token_hash=_hash(token)).update(
        last_seen=timezone.now(), device=device
    )
    if not known:
        earlier = KnownDevice.objects.filter(user=user).exists()
        token = token if 20 <= len(token) <= 100 else secrets.token_urlsafe(32)
        KnownDevice.objects.create(user=user, token_hash=_hash(token), device=device)
        if earlier:
            when = timezone.now().strftime("%Y-%m-%d %H:%M")
            transaction.on_commit(
                lambda: tasks.send_new_device_notice.enqueue(user.pk, device, when)
            )
    request._amtshilfe_device_token = token  # type: ignore[attr-defined]
    if request.session.session_key is None:
        request.session.save()
    LoginSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "device": device,
            "trust_level": (trust.level_of(request) or trust.TrustLevel.NIEDRIG).value,
            "created_at": timezone.now(),
        },
    )


def remember(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give the browser its device cookie after a login."""
    token = getattr(request, "_amtshilfe_device_token", None)
    if token:
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_AGE,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


def _store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def sessions_of(request: HttpRequest) -> list[dict[str, Any]]:
    """The person's open sessions, this one first; ended or expired ones are dropped."""
    store = _store()
    rows = []
    for row in LoginSession.objects.filter(user_id=request.user.pk or 0).order_by("-created_at"):
        if not store().exists(row.session_key):
            row.delete()
            continue
        current = row.session_key == request.session.session_key
        rows.append(
            {
                "id": row.pk,
                "device": row.device,
                "since": row.created_at,
                "current": current,
                "trust_level": row.trust_level,
            }
        )
    rows.sort(key=lambda r: not r["current"])
    return rows


def end_session(request: HttpRequest, session_id: int) -> None:
    """End one of the person's sessions (their own current one logs them out)."""
    row = LoginSession.objects.filter(pk=session_id, user_id=request.user.pk or 0).first()
    if row is None:
        raise NotFound()
    if row.session_key == request.session.session_key:
        logout(request)
        return
    _store()(row.session_key).delete()
    row.delete()


def end_all_sessions(user: Any) -> None:
    """End every session of ``user`` (after a password reset, before deletion)."""
    store = _store()
    for row in LoginSession.objects.filter(user=user):
        store(row.session_key).delete()
    LoginSession.objects.filter(user=user).delete()


@receiver(user_logged_out)
def _forget_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and request.session.session_key:
        LoginSession.objects.filter(session_key=request.session.session_key).delete()
