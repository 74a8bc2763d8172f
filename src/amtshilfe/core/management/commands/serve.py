from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

RESTART_DELAY_SECONDS = 2


class Command(BaseCommand):
    help = (
        "Run the platform in one command: web server plus a background-task worker "
        "(restarted if it stops). Prints the address."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-migrate", action="store_true", help="do not apply migrations before starting"
        )

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        # A process group of its own: Ctrl+C in a terminal reaches only this process, which
        # stops each child once. A worker that got the terminal's SIGINT *and* our SIGTERM
        # would take the second signal as "abort the running task" and record it as failed.
        return subprocess.Popen([sys.executable, "-m", "amtshilfe.cli", *args], process_group=0)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"] and not settings.PRODUCTION:
            call_command("migrate", interactive=False, verbosity=0)
        address = f"{options['host']}:{options['port']}"
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        # Before the children exist, so a stop request can never leave them behind.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        web = self._spawn("web", "--bind", address)
        worker = self._spawn("worker")
        self.stdout.write(
            self.style.SUCCESS(f"amtshilfe läuft auf / is running at http://{address}/")
        )
        self.stdout.write("Strg+C beendet / Ctrl+C stops.")
        self.stdout.flush()
        try:
            while not stopping:
                if web.poll() is not None:
                    self.stderr.write(f"The web server stopped (exit code {web.returncode}).")
                    break
                if worker.poll() is not None:
                    self.stderr.write(
                        f"The worker stopped (exit code {worker.returncode}); restarting it."
                    )
                    time.sleep(RESTART_DELAY_SECONDS)
                    if stopping:
                        break
                    worker = self._spawn("worker")
                time.sleep(0.5)
        finally:
            for process in (worker, web):
                if process.poll() is None:
                    process.terminate()
            for process in (worker, web):
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        if not stopping:
            sys.exit(1)
