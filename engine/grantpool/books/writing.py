"""Writing to the books: one writer at a time, atomically, checked after.

``append`` takes the books' lock (``grantpool.books.lock``, ``.grantpool.lock``),
writes the new text to a temporary file beside the target and renames it over
the target (a reader sees the old file or the new, never half), then re-loads
the books: if the write made the books unparseable, the old file is put back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grantpool.books import lock
from grantpool.books.loading import load
from grantpool.generate.writer import write_atomic


class WriteRefused(Exception):
    """The write would have broken the books, or could not be made; they are as they were."""


@contextmanager
def books_lock(folder: Path) -> Iterator[None]:
    """Hold the books' lock (``grantpool.books.lock``); a writer that waits too long
    gets ``WriteRefused`` saying the books are held by another writer."""
    try:
        with lock.books_lock(folder):
            yield
    except lock.BooksBusy as exc:
        raise WriteRefused(str(exc)) from exc


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
