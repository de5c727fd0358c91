"""Loading books with the real Beancount loader, the pickle cache switched off.

The loader's cache (``.main.beancount.picklecache``) is written next to the
books and unpickled on the next load: a file others can write would run their
code in ours, and the cache misses edits to files it was not told about.  Our
commands therefore never use it (README.md "Deployment").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from beancount import loader

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")


class CannotLoad(Exception):
    """The books could not be read at all (missing, unreadable, not UTF-8 text)."""


def check_readable(path: Path) -> None:
    """Raise ``CannotLoad`` with a one-line reason if *path* cannot be read as books."""
    if not path.exists():
        raise CannotLoad(f"{path}: no such file; give the path to the books' main file")
    if not path.is_file():
        raise CannotLoad(f"{path}: not a file; give the path to the books' main file")
    try:
        with path.open("rb") as handle:
            handle.read().decode("utf-8")
    except PermissionError as exc:
        raise CannotLoad(f"{path}: cannot be read ({exc.strerror}); check its permissions") from exc
    except UnicodeDecodeError as exc:
        raise CannotLoad(f"{path}: not UTF-8 text at byte {exc.start}; save it as UTF-8") from exc


def load(path: Path) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """``(entries, errors, options_map)`` of the books at *path*, never from a cache."""
    check_readable(path)
    loader.initialize(use_cache=False)
    entries, errors, options = loader.load_file(str(path.resolve()))
    return entries, errors, options
