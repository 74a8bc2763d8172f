"""One-time links sent by e-mail: confirming an address (password reset uses Django's own)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A link that confirms the address once: it stops working when the account is active.

    Signed with SECRET_KEY and valid for PASSWORD_RESET_TIMEOUT (3 days by default); the hash
    covers the address and the activation state, so a used or re-addressed link is void.
    """

    key_salt = "amtshilfe.accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.is_active}{timestamp}"


email_verification = EmailVerificationTokenGenerator()
