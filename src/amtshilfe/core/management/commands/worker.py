from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

from amtshilfe.core.worker import HeartbeatWorker


class Command(BaseCommand):
    help = "Run a background-task worker (production: one or more of these next to `web`)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queues", default=DEFAULT_TASK_QUEUE_NAME, help="comma-separated queues, or '*'"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait when the queue is empty"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run every waiting task, then exit"
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after N tasks")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = HeartbeatWorker(
            queue_names=options["queues"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
