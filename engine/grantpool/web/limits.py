"""The sign-in rate limit: after too many failed sign-ins from one address, or for
one user name, within a window, further attempts are refused until the window has
passed, right password or not.  Kept in memory: a restart forgets it."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SignInLimit:
    """*failures* failed sign-ins within *window* seconds close a key (an address or a
    user name) until the oldest of them is *window* seconds old."""

    def __init__(self, failures: int = 5, window: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def wait(self, *keys: str) -> float:
        """Seconds until *keys* may try again (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [self.window - (now - times[0]) for key in keys
                     if len(times := self._recent(key, now)) >= self.failures]
            for key in keys:  # forget keys with nothing recent (memory stays bounded)
                if not self._seen.get(key):
                    self._seen.pop(key, None)
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._seen) > 10_000:  # a flood of names: keep only the busy keys
                self._seen = {k: v for k, v in self._seen.items() if len(v) > 1}

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)
