"""Background tasks: enqueued with the transaction, run by the worker, never lost.

The worker runs in this process (`worker --batch`: every waiting task, then exit), so the
tests see exactly what a worker process would do with the same database rows. Tests that run
the worker commit for real (``transaction=True``): the worker closes and reopens its database
connection between tasks, as it does in production, which a test wrapped in one transaction
cannot allow on PostgreSQL.
"""

from __future__ import annotations

import datetime
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from amtshilfe.core import tasks
from amtshilfe.core.models import WorkerHeartbeat
from amtshilfe.core.worker import HeartbeatWorker, requeue_abandoned_tasks
from tests.core.tasks_for_tests import explode, leave_mark


class Rollback(Exception):
    """Raised inside a transaction to abandon it."""


@pytest.fixture(autouse=True)
def _keep_signal_handlers() -> Iterator[None]:
    """The worker installs SIGINT/SIGTERM handlers for its own process; give pytest its own back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def run_worker() -> None:
    call_command("worker", "--batch", verbosity=0)


def status_of(task_id: str) -> str:
    return DBTaskResult.objects.get(id=task_id).status


def abandon(result_id: str, *, worker_id: str) -> None:
    """Make the task look as if ``worker_id`` claimed it and then died mid-run."""
    DBTaskResult.objects.filter(id=result_id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=[worker_id],
        started_at=timezone.now() - datetime.timedelta(minutes=10),
    )


def heartbeat(worker_id: str, *, age_seconds: float) -> None:
    seen = timezone.now() - datetime.timedelta(seconds=age_seconds)
    WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=seen, seen_at=seen)


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_in_a_rolled_back_transaction_never_exists_and_never_runs(tmp_path: Path):
    mark = tmp_path / "ran"
    with pytest.raises(Rollback), transaction.atomic():
        leave_mark.enqueue(path=str(mark))
        raise Rollback

    assert not DBTaskResult.objects.exists()
    run_worker()
    assert not mark.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_committed_task_runs_when_the_worker_runs(tmp_path: Path):
    mark = tmp_path / "ran"
    with transaction.atomic():
        result = leave_mark.enqueue(path=str(mark))
    assert status_of(result.id) == TaskResultStatus.READY
    assert not mark.exists()

    run_worker()

    assert mark.read_text() == "ran"
    done = leave_mark.get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == str(mark)


@pytest.mark.django_db(transaction=True)
def test_core_ping_task_runs():
    result = tasks.ping.enqueue(value="hallo")
    run_worker()
    done = tasks.ping.get_result(result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == "hallo"


@pytest.mark.django_db(transaction=True)
def test_worker_survives_a_crashing_task_and_runs_the_next_one(tmp_path: Path):
    mark = tmp_path / "ran"
    failing = explode.enqueue()
    good = leave_mark.enqueue(path=str(mark))

    run_worker()

    failed = explode.get_result(failing.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.errors[0].exception_class_path == "builtins.RuntimeError"
    assert status_of(good.id) == TaskResultStatus.SUCCESSFUL
    assert mark.exists()


@pytest.mark.django_db(transaction=True)
def test_task_of_a_dead_worker_is_requeued_and_completed_when_a_worker_starts(tmp_path: Path):
    mark = tmp_path / "ran"
    result = leave_mark.enqueue(path=str(mark))
    abandon(result.id, worker_id="dead-worker")  # and no heartbeat at all

    run_worker()

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids[0] == "dead-worker"
    assert len(row.worker_ids) == 2  # claimed again by the new worker
    assert mark.exists()


@pytest.mark.django_db(transaction=True)
def test_running_worker_takes_over_the_task_of_a_worker_that_died_after_it_started(
    settings, tmp_path: Path
):
    """A worker restarted at once (by `serve` or systemd) finds the dead one's heartbeat fresh.

    It must not leave that task RUNNING for ever: a later beat of the running worker requeues
    it once the dead worker's heartbeat has gone stale.
    """
    settings.WORKER_STALE_AFTER_SECONDS = 60
    mark = tmp_path / "ran"
    result = leave_mark.enqueue(path=str(mark))
    abandon(result.id, worker_id="crashed-worker")
    heartbeat("crashed-worker", age_seconds=5)  # it died a moment ago
    worker = HeartbeatWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="successor",
        excluded_queue_names=[],
    )
    started_at = timezone.now()
    worker.keep_alive(started_at=started_at)
    assert status_of(result.id) == TaskResultStatus.RUNNING  # not yet: maybe it is alive

    with time_machine.travel(started_at + datetime.timedelta(seconds=61)):
        worker.keep_alive(started_at=started_at)
    assert status_of(result.id) == TaskResultStatus.READY

    worker.run()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["crashed-worker", "successor"]
    assert mark.exists()


@pytest.mark.django_db
def test_task_of_a_worker_whose_heartbeat_went_stale_is_requeued(settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    result = tasks.ping.enqueue()
    abandon(result.id, worker_id="stale-worker")
    heartbeat("stale-worker", age_seconds=61)

    assert requeue_abandoned_tasks() == 1

    assert status_of(result.id) == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.filter(worker_id="stale-worker").exists()


@pytest.mark.django_db(transaction=True)
def test_running_task_of_a_live_worker_is_left_alone(settings):
    settings.WORKER_STALE_AFTER_SECONDS = 60
    result = tasks.ping.enqueue()
    abandon(result.id, worker_id="live-worker")
    heartbeat("live-worker", age_seconds=5)

    assert requeue_abandoned_tasks() == 0
    run_worker()  # a second worker starting must not take the task over either

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == TaskResultStatus.RUNNING
    assert row.worker_ids == ["live-worker"]
    assert WorkerHeartbeat.objects.filter(worker_id="live-worker").exists()


@pytest.mark.django_db(transaction=True)
def test_worker_removes_its_own_heartbeat_when_it_stops():
    run_worker()
    assert not WorkerHeartbeat.objects.exists()
