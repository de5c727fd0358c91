"""The books' lock: one writer at a time, across processes and platforms.

``filelock`` (the lock pip and virtualenv use) holds ``.grantpool.lock`` in the
books' folder.  A writer waits at most ``GRANTPOOL_LOCK_TIMEOUT`` seconds
(default 60, at most 3600); past that it gives up with ``BooksBusy`` and has written
nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = ".grantpool.lock"
TIMEOUT_ENV = "GRANTPOOL_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 60.0


class BooksBusy(Exception):
    """Another writer held the books for longer than this one would wait, or the lock
    cannot be taken at all (a missing or unwritable folder)."""


MAX_TIMEOUT = 3600


def lock_timeout() -> float:
    """Seconds to wait for the lock: ``GRANTPOOL_LOCK_TIMEOUT`` (0 to 3600), else 60.
    A value that is not such a number is refused (``BooksBusy``), never silently
    replaced: an operator who set it meant something."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= MAX_TIMEOUT:
        raise BooksBusy(f"{TIMEOUT_ENV} must be a number of seconds from 0 to {MAX_TIMEOUT}; "
                        f"nothing was written")
    return float(value)


@contextmanager
def books_lock(folder: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the books' lock; raise ``BooksBusy`` if it is not had within *timeout*."""
    wait = lock_timeout() if timeout is None else timeout
    lock = FileLock(folder / LOCK_NAME, timeout=wait)
    try:
        lock.acquire()
    except Timeout as exc:
        raise BooksBusy(
            f"{folder}: the books are held by another writer ({LOCK_NAME}) for over "
            f"{wait:g} s; nothing was written; try again when it has finished") from exc
    except OSError as exc:
        raise BooksBusy(
            f"{folder / LOCK_NAME}: the books' lock cannot be taken ({exc.strerror or exc}); "
            f"check that the books' folder exists and is writable; nothing was written"
        ) from exc
    try:
        yield
    finally:
        lock.release()
