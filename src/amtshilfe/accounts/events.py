"""The account's own activity log (see :class:`~amtshilfe.accounts.models.AccountEvent`)."""

from __future__ import annotations

from typing import Any

from amtshilfe.accounts.models import AccountEvent


def record(user: Any, action: str) -> None:
    """Note ``action`` (a code such as ``totp.confirmed``; never secrets or free text)."""
    AccountEvent.objects.create(user_id=user.pk, action=action)
