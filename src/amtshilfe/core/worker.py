"""The background worker: django-tasks-db's worker plus a heartbeat and crash recovery.

A task that fails is recorded as failed and the worker goes on (django-tasks-db catches it).
A worker *process* that dies (killed, power loss) leaves its claimed task RUNNING; every
running worker, at start and with each heartbeat, puts such tasks back into the queue once
their worker's heartbeat is stale, so queued work is never lost. Tasks must therefore be
idempotent (at-least-once delivery).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from amtshilfe.core.models import WorkerHeartbeat

logger = logging.getLogger("amtshilfe.worker")


def beat(worker_id: str, *, started_at: datetime.datetime) -> None:
    """Record that ``worker_id`` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "seen_at": timezone.now(),
            "started_at": started_at,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def requeue_abandoned_tasks(*, now: datetime.datetime | None = None) -> int:
    """Put RUNNING tasks whose worker stopped beating back into the queue; return how many."""
    now = now or timezone.now()
    fresh_after = now - datetime.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=fresh_after).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        for task in DBTaskResult.objects.running().select_for_update():
            owner = task.worker_ids[-1] if task.worker_ids else None
            if owner in alive:
                continue
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning("Requeued task id=%s abandoned by worker %s", task.id, owner)
        WorkerHeartbeat.objects.filter(seen_at__lt=fresh_after).delete()
    return requeued


class HeartbeatWorker(Worker):
    """django-tasks-db's worker, announcing itself every few seconds while it runs."""

    def run(self) -> None:
        started_at = timezone.now()
        requeue_abandoned_tasks()
        beat(self.worker_id, started_at=started_at)
        stop = threading.Event()
        thread = threading.Thread(
            target=self._beat_until, args=(stop, started_at), name="heartbeat", daemon=True
        )
        thread.start()
        try:
            super().run()
        finally:
            stop.set()
            thread.join(timeout=5)
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()

    def keep_alive(self, *, started_at: datetime.datetime) -> None:
        """One beat: this worker is alive; take back the work of workers that are not.

        Requeueing only at start is not enough: a worker restarted at once after a crash
        (by `serve` or systemd) still sees the dead worker's heartbeat as fresh.
        """
        beat(self.worker_id, started_at=started_at)
        requeue_abandoned_tasks()

    def _beat_until(self, stop: threading.Event, started_at: datetime.datetime) -> None:
        try:
            while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
                close_old_connections()
                try:
                    self.keep_alive(started_at=started_at)
                except Exception:  # a missed beat is not worth stopping the worker
                    logger.exception("Heartbeat of worker %s failed", self.worker_id)
        finally:
            connection.close()
