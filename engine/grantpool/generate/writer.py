"""Beancount text for the generator's records, and the atomic write of a folder."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from grantpool.generate.model import Balance, BookFile, Close, Directive, Event, Open, Txn, money

_WIDTH = 76
_ORDER = {Open: 0, Balance: 1, Txn: 2, Event: 3, Close: 4}


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def quote(value: str) -> str:
    """*value* as a Beancount string literal: backslash and quote escaped, so no text
    can close the string and write a directive of its own.  Control characters (a
    newline among them) have no place in the books' strings: ``ValueError``."""
    if _CONTROL.search(value):
        raise ValueError("a text for the books holds a control character (a line break?)")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _meta(meta: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"\n  {key}: {quote(value)}" for key, value in meta)


def render(d: Directive, currency: str) -> str:
    if isinstance(d, Open):
        return f"{d.date} open {d.account} {currency}{_meta(d.meta)}"
    if isinstance(d, Close):
        return f"{d.date} close {d.account}"
    if isinstance(d, Event):
        return f"{d.date} event {quote(d.type)} {quote(d.description)}"
    if isinstance(d, Balance):
        return f"{d.date} balance {d.account:<{_WIDTH - 19}} {money(d.amount):>14} {currency}"
    links = "".join(f" ^{link}" for link in d.links)
    lines = [f"{d.date} * {quote(d.narration)} #{d.tag}{links}{_meta(d.meta)}"]
    lines += [f"  {a:<{_WIDTH - 2}} {money(x):>14} {currency}" for a, x in d.postings]
    return "\n".join(lines)


def file_text(book: BookFile, currency: str, header: str) -> str:
    ordered = sorted(book.directives, key=lambda d: (d.date, _ORDER[type(d)]))
    body = "\n\n".join(render(d, currency) for d in ordered)
    return f";; {book.title}\n;; {header}\n\n{body}\n"


def _mode_for(path: Path) -> int:
    """The mode the file has, or a new file's usual mode (0666 less the umask)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write *text* to *path* so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
