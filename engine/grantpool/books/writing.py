"""Writing to the books: one writer at a time, atomically, checked after.

``append`` takes the books' lock (``grantpool.books.lock``, ``.grantpool.lock``; on a
federation each entity's folder has its own, ``books_locks`` holds several),
writes the new text to a temporary file beside the target and renames it over
the target (a reader sees the old file or the new, never half), then re-parses
the target: if the write made it unparseable, the old file is put back.

A writer that has just loaded the books may say where a parse of the target's text
(known by its digest) read a directive (``Parsed``): the re-parse then reads the
written file from that directive on, not from its first line.  Beancount's lexer
carries nothing across lines but an open string, and a directive began there, so the
new text reads alike either way; where the old text sets an option or pushes tags or
metadata (state that does carry), or is not the text that was parsed, the whole file
is re-parsed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.parser import parser

from grantpool.books import lock
from grantpool.generate.writer import write_atomic


class WriteRefused(Exception):
    """The write would have broken the books, or could not be made; they are as they were."""


@dataclass(frozen=True)
class Parsed:
    """A parse of a file of the books read a directive beginning at *line* while the
    file's bytes had *digest* (``digest``)."""

    digest: str
    line: int


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


# Directives whose effect carries over to the lines after them, in the parser's state.
_CARRIED = re.compile(r"^[ \t]*(?:option|pushtag|pushmeta)\b", re.MULTILINE)


@contextmanager
def books_lock(folder: Path) -> Iterator[None]:
    """Hold the books' lock (``grantpool.books.lock``); a writer that waits too long
    gets ``WriteRefused`` saying the books are held by another writer."""
    try:
        with lock.books_lock(folder):
            yield
    except lock.BooksBusy as exc:
        raise WriteRefused(str(exc)) from exc


@contextmanager
def books_locks(folders: Sequence[Path]) -> Iterator[None]:
    """Hold the locks of several books' *folders*, taken in the order given (every
    writer gives them in one order: ``grantpool.entry.route.lock_folders``), released
    in reverse; ``WriteRefused`` if one is not had (those taken are released)."""
    with ExitStack() as stack:
        for folder in folders:
            stack.enter_context(books_lock(folder))
        yield


def digests_beside(main: Path) -> dict[Path, str]:
    """The digest of each books file in *main*'s folder, read before the books are
    loaded: a file that still has it when written holds the text the load read (one
    changed and changed back meanwhile would pass; no writer of ours can, the lock held)."""
    out = {}
    for path in main.parent.glob("*.beancount"):
        try:
            if path.is_file() and not path.is_symlink():
                out[path.resolve()] = digest(path.read_bytes())
        except OSError:
            continue
    return out


def last_directives(entries: list[Any], digests: dict[Path, str]) -> dict[Path, Parsed]:
    """For each file of *digests* the load read directives from: the line its last
    directive began on, with the digest of the text read before the load."""
    last: dict[str, int] = {}
    for entry in entries:
        meta = entry.meta or {}
        name, line = meta.get("filename"), meta.get("lineno")
        if isinstance(name, str) and isinstance(line, int) and line > last.get(name, 0):
            last[name] = line
    out = {}
    for name, line in last.items():
        path = Path(name).resolve()
        if path in digests:
            out[path] = Parsed(digests[path], line)
    return out


def append(main: Path, target: Path, text: str) -> None:
    """Append *text* to *target* (a file of the books whose main file is *main*)."""
    with books_lock(main.parent):
        append_locked(main, target, text)


def append_locked(main: Path, target: Path, text: str, parsed: Parsed | None = None) -> None:
    """``append`` for a caller that already holds ``books_lock``.

    The target must be a regular file of the books (or not exist yet); temporary
    files left by a killed writer are removed first (no other writer runs: we hold
    the lock).  After the write only the target is re-parsed (the rest of the books
    did not change): from the new text's first line on it must hold exactly the new
    directives and no parse error, or the new text was swallowed (by a string left
    open above it, say) or broke.  With *parsed* (a directive a parse of the target as
    it is read) the written file is re-read from there (see the module's text).  Any
    failure leaves the target as it was and raises ``WriteRefused`` with a one-line
    reason."""
    if target.is_symlink():
        raise WriteRefused(f"{target}: is a symbolic link; grantpool writes only the books' "
                           f"own files: replace the link by the file it points to")
    clean_stale(target)
    added = _directives(text)
    try:
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        separator = "" if old.endswith("\n\n") or not old else ("\n" if old.endswith("\n")
                                                                 else "\n\n")
        write_atomic(target, old + separator + text)
    except (OSError, UnicodeError) as exc:
        raise WriteRefused(f"{target}: cannot be written ({_reason(exc)}); check the books' "
                           f"folder and its permissions; nothing was written") from exc
    first = (old + separator).count("\n") + 1  # the new text's first line in the file
    entries, errors = _reparse(target, old, parsed)
    read = sum(1 for e in entries if (e.meta or {}).get("lineno", 0) >= first)
    broken = [e for e in errors if (e.source or {}).get("lineno", 0) >= first]
    if read != added or broken:
        if old:
            write_atomic(target, old)
        else:
            target.unlink()
        raise WriteRefused(f"{target}: the new entries would not be read as written (an "
                           f"unclosed string or a broken line above them?); fix the file "
                           f"(bean-check names the line), then enter again; nothing was "
                           f"written")


def _reparse(target: Path, old: str, parsed: Parsed | None) -> tuple[list[Any], list[Any]]:
    """The written *target* parsed again: from *parsed*'s directive on when *old* (the
    text before the write) is the text that parse read and carries no parser state,
    else from its first line."""
    if (parsed is not None and 1 < parsed.line <= old.count("\n") + 1
            and not _carries(old) and digest(old.encode("utf-8")) == parsed.digest):
        rest = old.split("\n", parsed.line - 1)[-1]
        with target.open("rb") as handle:
            handle.seek(len(old[:len(old) - len(rest)].encode("utf-8")))
            tail = handle.read()
        entries, errors, _ = parser.parse_string(tail, report_filename=str(target),
                                                 report_firstline=parsed.line)
    else:
        entries, errors, _ = parser.parse_file(str(target))
    return entries, errors


def _carries(text: str) -> bool:
    return any(word in text for word in ("option", "pushtag", "pushmeta")) and bool(
        _CARRIED.search(text))


def _directives(text: str) -> int:
    """How many directives *text* holds; ``WriteRefused`` if it does not parse alone."""
    entries, errors, _ = parser.parse_string(text)
    if errors:
        raise WriteRefused(f"the new text would not parse ({errors[0].message}); nothing was "
                           f"written")
    return len(entries)


def _reason(exc: OSError | UnicodeError) -> str:
    return exc.strerror or type(exc).__name__ if isinstance(exc, OSError) else "not UTF-8 text"


STALE_PATTERNS = (".{name}.*.tmp", ".grantpool-probe-*.beancount")


def clean_stale(target: Path) -> list[Path]:
    """Remove what killed writers left beside *target*: its temporary files, and the
    probe files of older versions.  The caller holds the books' lock."""
    removed = []
    for pattern in STALE_PATTERNS:
        for path in target.parent.glob(pattern.format(name=target.name)):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
