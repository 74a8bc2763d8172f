"""Reads owned by core: the audit trail, the worker's health."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from amtshilfe.core import access
from amtshilfe.core.models import AuditEntry, WorkerHeartbeat


def audit_entries(*, actor: Any, organisation_id: int | None = None) -> QuerySet[AuditEntry]:
    """Audit entries the actor may read (own organisations as admin; all as operator)."""
    entries = access.scoped(AuditEntry, actor, access.Action.AUDIT).select_related("organisation")
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    return entries


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def latest_worker_heartbeat() -> datetime.datetime | None:
    beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return beat


def worker_alive(*, now: datetime.datetime | None = None) -> bool:
    seen = latest_worker_heartbeat()
    if seen is None:
        return False
    age = (now or timezone.now()) - seen
    return age.total_seconds() <= settings.WORKER_STALE_AFTER_SECONDS
