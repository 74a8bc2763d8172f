"""Progress for long commands: a live line on a terminal, a few milestones in a log."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.tty:
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{self.label}: {done}/{total} ({done * 100 // total} %){end}")
            self.stream.flush()
            return
        tenth = done * 10 // total
        if tenth != self._last_tenth and (tenth % 5 == 0 or done >= total):
            self._last_tenth = tenth
            self.stream.write(f"{self.label}: {done}/{total} ({done * 100 // total} %)\n")
            self.stream.flush()
