"""How long the Postfach keeps a message, per message type: one table, overridable by the operator.

The Postfach is a delivery channel, not the authority's file: the authority keeps its own
record (Akte) of every case under its records-retention rules. The Postfach keeps a copy for
the account holder, and keeps it no longer than they plausibly need it (data minimisation,
Art. 5(1)(e) GDPR). The defaults below are a starting point, **not legal advice**: each
operator must check them against its own records-retention rules (Aktenordnung,
Aufbewahrungsfristen) and data-protection assessment, and override them with the setting
``POSTBOX_RETENTION_DAYS`` (a dict of message type → days; types left out keep their default;
from the environment variable of the same name, ``notice=3650,request=1095``, see
docs/operations.md).

- ``notice`` (Bescheid), 10 years: a decision can matter to its addressee for a long time
  (building permit, fee assessment later contested); 10 years is the longest limitation
  period of civil law (§ 199 (4) BGB) and a common retention period for decisions.
- ``request`` (Nachforderung, request for documents), 3 years: it matters while the case is
  open and for an appeal afterwards; 3 years is the regular limitation period (§ 195 BGB).
- ``information``, 1 year: notes on the state of a case, without legal effect of their own.
- ``reply``: a reply belongs to the message it answers and is deleted with it (it takes that
  message's ``delete_after``), so it has no period of its own.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from amtshilfe.postbox.models import Kind

DEFAULT_RETENTION_DAYS: dict[str, int] = {
    Kind.NOTICE.value: 3650,
    Kind.REQUEST.value: 1095,
    Kind.INFORMATION.value: 365,
}

#: Message types an authority sends (a reply comes only from an account holder).
SENDABLE_KINDS = frozenset(DEFAULT_RETENTION_DAYS)


def retention_days() -> dict[str, int]:
    """The table in force: the defaults, with the operator's ``POSTBOX_RETENTION_DAYS`` on top."""
    overrides = getattr(settings, "POSTBOX_RETENTION_DAYS", None) or {}
    return {**DEFAULT_RETENTION_DAYS, **{str(k): int(v) for k, v in overrides.items()}}


def problems() -> list[str]:
    """What is wrong with the operator's override (for the system check)."""
    overrides = getattr(settings, "POSTBOX_RETENTION_DAYS", None) or {}
    if not isinstance(overrides, dict):
        return ["POSTBOX_RETENTION_DAYS must be a dict of message type to days."]
    found = []
    for kind, days in overrides.items():
        if kind not in SENDABLE_KINDS:
            found.append(f"POSTBOX_RETENTION_DAYS: unknown message type {kind!r}.")
        elif isinstance(days, bool) or not isinstance(days, int) or days < 1:
            found.append(f"POSTBOX_RETENTION_DAYS[{kind!r}] must be a whole number of days ≥ 1.")
    return found


def delete_after(kind: str, *, sent_on: datetime.date) -> datetime.date:
    """The last day a message of ``kind`` sent on ``sent_on`` is kept."""
    return sent_on + datetime.timedelta(days=retention_days()[kind])
