"""DSGVO: everything an account holds, as JSON (Art. 20) and as a readable PDF (Art. 15),
and deleting the account (Art. 17).

Each app that stores personal data of accounts registers here, in its ``AppConfig.ready``:

- an *exporter* ``(user) -> dict`` for its part of the export,
- an *eraser* ``(user) -> None`` for what the deletion of the User row does not cascade to,
- a *blocker* ``(user) -> str | None`` that names a reason the account cannot go yet (an
  application still being processed: the authority may still need to reach the person).

What stays after a deletion is listed in docs/data-protection.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtshilfe.accounts.models import (
    AccountEvent,
    BusinessMember,
    ExternalIdentity,
    KnownDevice,
    LoginSession,
    Passkey,
    ProfileAttribute,
    User,
)

#: Headings of the PDF (the JSON keeps the keys: they are for machines).
SECTION_LABELS = {
    "account": _("Account"),
    "profile": _("Details for forms"),
    "organisation_accounts": _("Organisation accounts"),
    "second_factors": _("Second factors and passkeys"),
    "sessions": _("Open sessions"),
    "known_devices": _("Known devices"),
    "external_identities": _("Linked identity providers"),
    "activity": _("Activity of the account"),
    "failed_logins_recorded": _("Failed logins being counted"),
    "postfach": _("Postfach"),
    "portals": _("Portals you have allowed"),
}

Exporter = Callable[[Any], dict[str, Any]]
Eraser = Callable[[Any], None]
Blocker = Callable[[Any], "str | None"]


@dataclass
class _Registry:
    exporters: dict[str, Exporter] = field(default_factory=dict)
    erasers: list[Eraser] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    #: Which models each exporter covers ("app_label.model"), so a test can find models
    #: with personal data that no export shows.
    models: dict[str, list[str]] = field(default_factory=dict)

    def exporters_for_models(self) -> list[str]:
        return [label for labels in self.models.values() for label in labels]


registry = _Registry()


def register(
    name: str,
    *,
    exporter: Exporter | None = None,
    eraser: Eraser | None = None,
    blocker: Blocker | None = None,
    models: list[str] | None = None,
) -> None:
    """Register a part of the export (under ``name``) and of the deletion; ``models`` are
    the models ("app_label.model") whose rows of the account the exporter shows."""
    if exporter is not None:
        registry.exporters[name] = exporter
        registry.models[name] = [label.lower() for label in models or []]
    if eraser is not None and eraser not in registry.erasers:
        registry.erasers.append(eraser)
    if blocker is not None and blocker not in registry.blockers:
        registry.blockers.append(blocker)


def _time(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_account(user: Any) -> dict[str, Any]:
    """The account's own part of the export."""
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "kind": user.kind,
            "active": user.is_active,
            "joined": _time(user.date_joined),
            "last_login": _time(user.last_login),
        },
        "profile": [
            {
                "item": a.name,
                "value": a.value,
                "source": a.source,
                "source_label": a.source_label,
                "verified": a.verified,
                "updated": _time(a.updated_at),
            }
            for a in ProfileAttribute.objects.filter(user=user).order_by("name")
        ],
        "organisation_accounts": [
            {
                "name": m.business.name,
                "legal_form": m.business.legal_form,
                "register_number": m.business.register_number,
                "role": m.role,
                "since": _time(m.created_at),
            }
            for m in BusinessMember.objects.filter(user=user).select_related("business")
        ],
        "second_factors": {
            "authenticator_apps": [
                {"name": d.name, "confirmed": d.confirmed}
                for d in TOTPDevice.objects.filter(user=user)
            ],
            "unused_recovery_codes": StaticToken.objects.filter(device__user=user).count(),
            "passkeys": [
                {"name": p.name, "added": _time(p.created_at), "last_used": _time(p.last_used_at)}
                for p in Passkey.objects.filter(user=user).order_by("created_at")
            ],
        },
        "sessions": [
            {"device": s.device, "since": _time(s.created_at), "trust_level": s.trust_level}
            for s in LoginSession.objects.filter(user=user).order_by("created_at")
        ],
        "known_devices": [
            {"device": d.device, "first_seen": _time(d.first_seen), "last_seen": _time(d.last_seen)}
            for d in KnownDevice.objects.filter(user=user).order_by("first_seen")
        ],
        "external_identities": [
            {
                "provider": link.provider.name,
                "subject": link.subject,
                "linked": _time(link.created_at),
                "last_login": _time(link.last_login_at),
            }
            for link in ExternalIdentity.objects.filter(user=user).select_related("provider")
        ],
        "activity": [
            {"at": _time(e.at), "action": e.action}
            for e in AccountEvent.objects.filter(user=user).order_by("at", "pk")
        ],
        "failed_logins_recorded": _failed_logins(user),
    }


def _failed_logins(user: Any) -> list[dict[str, Any]]:
    from axes.models import AccessAttempt

    return [
        {"at": _time(a.attempt_time), "failures": a.failures_since_start}
        for a in AccessAttempt.objects.filter(username=user.email)
    ]


def export(user: Any) -> dict[str, Any]:
    """Everything, by part; ``generated`` says when."""
    data: dict[str, Any] = {"generated": timezone.now().isoformat(), **export_account(user)}
    for name, exporter in registry.exporters.items():
        data[name] = exporter(user)
    return data


def export_pdf(user: Any) -> bytes:
    """The same data as a readable PDF (WeasyPrint)."""
    from weasyprint import HTML

    data = export(user)
    sections = [
        (SECTION_LABELS.get(name, name), _tables(value))
        for name, value in data.items()
        if name != "generated"
    ]
    html = render_to_string(
        "accounts/export.html", {"data": data, "user": user, "sections": sections}
    )
    return bytes(HTML(string=html).write_pdf())


def _tables(value: Any, prefix: str = "") -> list[list[tuple[str, str]]]:
    """A section as tables of (key, value) rows: a dict is one table, a list one per item."""
    if isinstance(value, list):
        return [table for item in value for table in _tables(item, prefix)]
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        nested: list[list[tuple[str, str]]] = []
        for key, item in value.items():
            if (
                isinstance(item, dict | list)
                and item
                and isinstance(item if isinstance(item, dict) else item[0], dict)
            ):
                nested.extend(_tables(item, f"{prefix}{key} › "))
            else:
                shown = ", ".join(map(str, item)) if isinstance(item, list) else item
                rows.append((f"{prefix}{key}", "–" if shown in (None, "") else str(shown)))
        return ([rows] if rows else []) + nested
    return [[(prefix.rstrip(" ›") or "value", str(value))]]


def blockers(user: Any) -> list[str]:
    return [reason for check in registry.blockers if (reason := check(user))]


class DeletionBlocked(Exception):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def delete_account(user: Any) -> None:
    """Remove the account and every personal datum it holds, or :class:`DeletionBlocked`."""
    from axes.models import AccessAttempt

    from amtshilfe.accounts import devices

    reasons = blockers(user)
    if reasons:
        raise DeletionBlocked(reasons)
    with transaction.atomic():
        for eraser in registry.erasers:
            eraser(user)
        devices.end_all_sessions(user)
        AccessAttempt.objects.filter(username=user.email).delete()
        # Memberships go with the user; an organisation account left without members has
        # nobody who could use it any more and goes too.
        businesses = [m.business for m in BusinessMember.objects.filter(user=user)]
        User.objects.filter(pk=user.pk).delete()
        for business in businesses:
            if not business.members.exists():
                business.delete()
    user.password = make_password(None)
