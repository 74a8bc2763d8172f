"""Passkeys (WebAuthn) with the ``webauthn`` library: register, and log in without a password.

A passkey login counts as ``substanziell``: the key is bound to a device (possession) and
the device checks the person (PIN or biometrics; user verification is required). The
relying party is ``WEBAUTHN_RP_ID`` (default: the host of ``SITE_URL``) and the accepted
origin ``SITE_URL``'s. Challenges live in the session for one use.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from amtshilfe.accounts import events
from amtshilfe.accounts.models import Passkey, User

CHALLENGE_KEY = "amtshilfe.accounts.passkey_challenge"


class PasskeyError(Exception):
    """The browser's answer did not verify (shown as a general message, never the reason)."""


def rp_id() -> str:
    return getattr(settings, "WEBAUTHN_RP_ID", "") or (urlsplit(settings.SITE_URL).hostname or "")


def origin() -> str:
    parts = urlsplit(settings.SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def _user_handle(user: Any) -> bytes:
    # A stable, meaningless handle: not the e-mail address (the authenticator may show it).
    return f"amtshilfe-{user.pk}".encode()


def registration_options(request: HttpRequest) -> str:
    user: Any = request.user
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=settings.SITE_NAME,
        user_id=_user_handle(user),
        user_name=str(getattr(user, "email", "")),
        user_display_name=str(getattr(user, "full_name", "")) or str(getattr(user, "email", "")),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(p.credential_id))
            for p in Passkey.objects.filter(user_id=user.pk)
        ],
    )
    request.session[CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def _challenge(request: HttpRequest) -> bytes:
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge:
        raise PasskeyError("no challenge")
    return base64url_to_bytes(challenge)


def register(request: HttpRequest, credential: str, name: str) -> Passkey:
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=_challenge(request),
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError) as error:
        raise PasskeyError(str(error)) from error
    transports = json.loads(credential).get("response", {}).get("transports", [])
    user: Any = request.user
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user_id=user.pk,
            name=(name or "Passkey")[:100],
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[t for t in transports if isinstance(t, str)][:10],
        )
        events.record(user, "passkey.added")
    return passkey


def authentication_options(request: HttpRequest) -> str:
    """Options for a login with any passkey of this site (the browser offers them)."""
    options = generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.REQUIRED
    )
    request.session[CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authenticate(request: HttpRequest, credential: str) -> User:
    """The active account whose passkey signed the challenge, or :class:`PasskeyError`."""
    challenge = _challenge(request)
    try:
        raw_id = base64url_to_bytes(json.loads(credential)["rawId"])
    except (ValueError, KeyError, TypeError) as error:
        raise PasskeyError("malformed") from error
    passkey = Passkey.objects.select_related("user").filter(credential_id=raw_id).first()
    if passkey is None or not passkey.user.is_active:
        raise PasskeyError("unknown credential")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=origin(),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError) as error:
        raise PasskeyError(str(error)) from error
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey.user


def remove(user: Any, passkey_id: int) -> bool:
    deleted, _ = Passkey.objects.filter(user_id=user.pk, pk=passkey_id).delete()
    if deleted:
        events.record(user, "passkey.removed")
    return bool(deleted)
