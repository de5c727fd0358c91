"""Writing to the books: one writer at a time, atomically, checked after.

``append`` takes an exclusive lock on the books' folder (``.grantpool.lock``),
writes the new text to a temporary file beside the target and renames it over
the target (a reader sees the old file or the new, never half), then re-loads
the books: if the write made the books unparseable, the old file is put back.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.generate.writer import write_atomic
from engine.loading import load


class WriteRefused(Exception):
    """The write would have broken the books; they are as they were."""


@contextmanager
def books_lock(folder: Path) -> Iterator[None]:
    """Hold the books' lock: other grantpool writers wait until it is released."""
    lock_path = folder / ".grantpool.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o664)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def append(main: Path, target: Path, text: str) -> None:
    """Append *text* to *target* (a file of the books whose main file is *main*)."""
    with books_lock(main.parent):
        append_locked(main, target, text)


def append_locked(main: Path, target: Path, text: str) -> None:
    """``append`` for a caller that already holds ``books_lock``."""
    old = target.read_text(encoding="utf-8") if target.exists() else ""
    separator = "" if old.endswith("\n\n") or not old else ("\n" if old.endswith("\n")
                                                             else "\n\n")
    write_atomic(target, old + separator + text)
    _, errors, _ = load(main)
    broken = [e for e in errors if type(e).__name__ in ("ParserError", "ParserSyntaxError")]
    if broken:
        if old:
            write_atomic(target, old)
        else:
            target.unlink()
        raise WriteRefused(f"{target}: the new text would not parse "
                           f"({broken[0].message}); nothing was written")
