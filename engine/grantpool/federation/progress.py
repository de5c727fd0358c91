"""A progress line for long work on a terminal: entities done of total, elapsed, left.

Written to a stream only when it is a terminal (and the caller wants it: never with
JSON output), rewritten in place with a carriage return, and closed with a newline.
"""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 24


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def line(what: str, done: int, total: int, elapsed: float) -> str:
    """The progress line: ``checking [#####-----] 12/98 entities, 0:32 elapsed, 2:10 left``."""
    filled = _WIDTH * done // total if total else _WIDTH
    bar = "#" * filled + "-" * (_WIDTH - filled)
    left = elapsed / done * (total - done) if done else None
    rest = f", {clock(left)} left" if left is not None and done < total else ""
    return f"{what} [{bar}] {done}/{total} entities, {clock(elapsed)} elapsed{rest}"


class Progress:
    """Call ``step()`` as each entity is done, ``close()`` at the end."""

    def __init__(self, what: str, total: int, stream: TextIO, enabled: bool = True) -> None:
        self.what, self.total, self.stream = what, total, stream
        self.enabled = enabled and stream.isatty()
        self.done, self.start = 0, time.monotonic()
        self._draw()

    def step(self) -> None:
        self.done += 1
        self._draw()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if self.enabled:
            text = line(self.what, self.done, self.total, time.monotonic() - self.start)
            self.stream.write(f"\r{text}")
            self.stream.flush()
