from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.config import KNOWN_SETTINGS


class Command(BaseCommand):
    help = "Run the web server (gunicorn). Production runs this and `worker` separately."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "amtshilfe.config.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            # Log method, path and status only: query strings can carry personal data.
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        ]
        if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
            # gunicorn >= 25 opens a control socket in $HOME (or $XDG_RUNTIME_DIR): a write
            # outside our directories, shared by every instance of the user. We don't use it.
            argv.append("--no-control-socket")
        if settings.DEBUG:
            argv.append("--reload")
        if not settings.PRODUCTION:
            # Embedded mode serves static files from the packages (finders); whitenoise still
            # warns on every start if STATIC_ROOT is missing. Production fills it by collectstatic.
            Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        os.execv(sys.executable, argv)  # noqa: S606  (replace this process with gunicorn)
