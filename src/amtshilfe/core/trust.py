"""Vertrauensniveau (trust level) of a login, after eIDAS and BSI TR-03107-1.

- ``niedrig``: a password;
- ``substanziell``: a password and a second factor (TOTP, recovery code), or a passkey;
- ``hoch``: an eID (online ID card) through an external identity provider.

The level belongs to the *session*, not to the account: the same person is ``niedrig`` after
a password login and ``substanziell`` after adding the second factor (step-up). The session
also remembers how the person logged in (``amr``, RFC 8176 method names) and when, which the
OpenID provider passes on to linked portals (``acr``, ``amr``, ``auth_time``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

LEVEL_KEY = "amtshilfe.trust.level"
METHODS_KEY = "amtshilfe.trust.amr"
AUTH_TIME_KEY = "amtshilfe.trust.auth_time"


class TrustLevel(models.TextChoices):
    """Vertrauensniveau after eIDAS / BSI TR-03107."""

    NIEDRIG = "niedrig", _("low (niedrig)")
    SUBSTANZIELL = "substanziell", _("substantial (substanziell)")
    HOCH = "hoch", _("high (hoch)")

    @property
    def rank(self) -> int:
        return ORDER.index(self)

    def satisfies(self, required: str) -> bool:
        """This level is at least ``required``."""
        return self.rank >= TrustLevel(required).rank


ORDER = [TrustLevel.NIEDRIG, TrustLevel.SUBSTANZIELL, TrustLevel.HOCH]


def level_of(request: HttpRequest) -> TrustLevel | None:
    """The trust level of the request's login; None when nobody is logged in."""
    if not request.user.is_authenticated:
        return None
    try:
        return TrustLevel(request.session.get(LEVEL_KEY, TrustLevel.NIEDRIG))
    except ValueError:
        return TrustLevel.NIEDRIG


def methods_of(request: HttpRequest) -> list[str]:
    """How the person proved who they are in this session (RFC 8176 names: pwd, otp, hwk…)."""
    return list(request.session.get(METHODS_KEY, []))


def auth_time_of(request: HttpRequest) -> int | None:
    value = request.session.get(AUTH_TIME_KEY)
    return int(value) if value is not None else None


def record(request: HttpRequest, level: str, methods: Iterable[str], *, fresh: bool) -> None:
    """Store the session's level after a login (``fresh``) or a step-up (methods are added).

    A step-up never lowers the level: a password check after an eID login keeps ``hoch``.
    """
    new = TrustLevel(level)
    current = level_of(request) if not fresh else None
    if current is not None and current.rank > new.rank:
        new = current
    known = [] if fresh else methods_of(request)
    request.session[LEVEL_KEY] = new.value
    request.session[METHODS_KEY] = known + [m for m in methods if m not in known]
    request.session[AUTH_TIME_KEY] = int(time.time())


def step_up_url(request: HttpRequest, required: str) -> str:
    query = urlencode({"next": request.get_full_path(), "level": TrustLevel(required).value})
    return f"{reverse('accounts:step_up')}?{query}"


def requires_level(required: str) -> Callable[[Callable[..., HttpResponse]], Any]:
    """View decorator: anonymous people log in, people below ``required`` step up; both
    come back to the page they asked for (never a dead end)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            level = level_of(request)
            if level is None:
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
            if not level.satisfies(required):
                return HttpResponseRedirect(step_up_url(request, required))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
