"""Tasks that exist only for the tests: the worker imports them by their module path."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def leave_mark(path: str) -> str:
    """Create the file ``path``: a trace outside the database, which no rollback removes."""
    Path(path).write_text("ran")
    return path


@task()
def explode() -> None:
    raise RuntimeError("this task always fails")


@task()
def hold_until_released(started: str, release: str) -> str:
    """Say that it runs, then wait (at most 30 s) until the test creates ``release``."""
    Path(started).touch()
    deadline = time.monotonic() + 30
    while not Path(release).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released this task")
        time.sleep(0.05)
    return "released"
