"""Background tasks of core. Other apps define theirs in their own tasks.py."""

from __future__ import annotations

from django_tasks import task


@task()
def ping(value: str = "pong") -> str:
    """A no-op task: used to see that the worker runs tasks (and in tests)."""
    return value
