"""What happens to accounts: registration, confirming the address, second factors.

Nothing here tells a caller whether an e-mail address has an account: registration answers
alike and sends the address an e-mail in either case (a confirmation link, or a note that
the address is registered already), from a background task, so the answer takes as long.
"""

from __future__ import annotations

import base64
import secrets
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.http import urlsafe_base64_decode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtshilfe.accounts import events, tasks
from amtshilfe.accounts.models import Passkey, ProfileAttribute, User
from amtshilfe.accounts.tokens import email_verification

RECOVERY_CODES = 10
RECOVERY_DEVICE = "recovery codes"
TOTP_DEVICE = "authenticator app"


@transaction.atomic
def register(*, email: str, full_name: str, password: str) -> None:
    """Create an unconfirmed citizen account, or tell the existing one; answer alike."""
    email = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        make_password(password)  # the same work as for a new account: no timing difference
        transaction.on_commit(lambda: tasks.send_already_registered.enqueue(existing.pk))
        return
    user = User.objects.create_user(
        email, password, full_name=full_name.strip(), kind=User.Kind.CITIZEN, is_active=False
    )
    events.record(user, "user.registered")
    transaction.on_commit(lambda: tasks.send_verification.enqueue(user.pk))


def request_password_reset(email: str) -> None:
    """Send a reset link to the active account with this address, if there is one."""
    email = User.objects.normalize_email(email).strip().lower()
    for user in User.objects.filter(email=email, is_active=True):
        if user.has_usable_password():
            transaction.on_commit(partial(tasks.send_password_reset.enqueue, user.pk))


def confirm_email(uidb64: str, token: str) -> User | None:
    """Activate the account the link belongs to; None for an invalid or used link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk, is_active=False).first()
        if user is None or not email_verification.check_token(user, token):
            return None
        user.is_active = True
        user.save(update_fields=["is_active"])
        events.record(user, "user.email_confirmed")
    return user


# --- second factors ------------------------------------------------------------------------


def has_second_factor(user: Any) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists()
    )


def verify_second_factor(user: Any, code: str) -> tuple[Any, str] | None:
    """The device that accepts ``code`` and the RFC 8176 method ("otp"), else None.

    A TOTP code is checked first; a recovery code is used up. Both device kinds throttle
    repeated failures themselves (django-otp: growing delays).
    """
    code = "".join(code.split()).lower()
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if code.isdigit() and device.verify_token(code):
            return device, "otp"
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code.replace("-", "")):
            events.record(user, "recovery_code.used")
            return device, "otp"
    return None


def start_totp(user: Any) -> TOTPDevice:
    """A new, unconfirmed authenticator for ``user`` (earlier unconfirmed ones are dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE, confirmed=False)


@transaction.atomic
def confirm_totp(user: Any, device_id: int, code: str) -> list[str] | None:
    """Confirm the authenticator with a first code; returns new recovery codes, or None."""
    device = TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()
    if device is None or not code.strip().isdigit() or not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    events.record(user, "totp.confirmed")
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user: Any) -> list[str]:
    """Ten new single-use recovery codes (the old ones stop working); shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code.replace("-", "")) for code in codes
    )
    events.record(user, "recovery_codes.created")
    return codes


def _recovery_code() -> str:
    """``xxxx-xxxx-xxxx``: 60 bits from an alphabet without 0/o, 1/l (typed from paper)."""
    alphabet = "23456789abcdefghijkmnpqrstuvwxyz"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def remove_second_factors(user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    events.record(user, "second_factor.removed")


def user_by_id(pk: int) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def unconfirmed_totp(user: Any, device_id: int | None) -> TOTPDevice | None:
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()


def totp_key(device: TOTPDevice) -> str:
    """The key in Base32, for typing into an app that cannot scan the QR code."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def has_passkey(user: Any) -> bool:
    return Passkey.objects.filter(user_id=user.pk).exists()


def passkeys_of(user: Any) -> list[Passkey]:
    return list(Passkey.objects.filter(user_id=user.pk).order_by("created_at"))


# --- profile ---------------------------------------------------------------------------------


def profile_of(user: Any) -> dict[str, ProfileAttribute]:
    return {a.name: a for a in ProfileAttribute.objects.filter(user_id=user.pk)}


@transaction.atomic
def set_profile(
    user: Any,
    values: dict[str, str],
    *,
    source: str = ProfileAttribute.SELF,
    source_label: str = "",
    verified: bool = False,
) -> list[str]:
    """Store profile items; returns the names that changed.

    An item changed by the person (``source`` "self") is no longer verified, even if an eID
    delivered it before; an unchanged value keeps its source. An empty value removes the item.
    """
    current = profile_of(user)
    changed = []
    for name, raw in values.items():
        value = (raw or "").strip()
        item = current.get(name)
        if not value:
            if item is not None:
                item.delete()
                changed.append(name)
            continue
        if item is not None and item.value == value and (source == item.source or source == "self"):
            continue
        ProfileAttribute.objects.update_or_create(
            user_id=user.pk,
            name=name,
            defaults={
                "value": value,
                "source": source,
                "source_label": source_label,
                "verified": verified,
                "updated_at": timezone.now(),
            },
        )
        changed.append(name)
    if changed:
        events.record(user, "profile.changed")
    return changed
