"""The ledgers this Fava serves, as another ledger's page may read them.

On the pool's own ledger the pages need the municipalities' entries (the roll-up for a
day other than serve's check day, a citizen's statement).  When this Fava serves those
municipalities' ledgers their entries are loaded already; each ledger's extension records,
as its load ends, what it read (``LoadRecord``), and the entries are used only while its
files are still as they were then and Beancount read them whole.  Otherwise the caller
loads the books on their own.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from flask import current_app

from grantpool.fava_ext.federated import Loaded
from grantpool.federation.layout import Entity

FileStamp = tuple[tuple[str, int, int], ...]
# Beancount's errors of books not read whole (a file missing, text it could not parse).
UNREAD = ("LoadError", "LexerError", "ParserError", "ParserSyntaxError")


class LoadRecord(NamedTuple):
    """What a Fava ledger's last load read: its files' stamp once the load was done, its
    entries, and whether it read the books whole (no file missing, nothing unparsed)."""

    stamp: FileStamp | None
    entries: Any
    whole: bool


def files_stamp(names: Sequence[str]) -> FileStamp | None:
    """Each file's path, modification time (ns) and size; None if one cannot be read."""
    try:
        return tuple((name, (st := os.stat(name)).st_mtime_ns, st.st_size) for name in names)
    except OSError:
        return None


def readable(errors: Any) -> bool:
    """Whether a load with *errors* read every file whole (its rules' findings aside)."""
    return not any(type(error).__name__ in UNREAD for error in errors)


def served_entries() -> Loaded:
    """An entity's entries as a ledger this Fava serves holds them (reloaded first if its
    files changed, as Fava does before a request to it), or None: none serves them, a
    file of theirs is not as it was when the ledger's last load ended (a reload under way,
    or a change its watcher has not reported yet), or that load could not read them all.
    The ledgers are looked up, all of them whatever the user may read, only when asked
    (within the request)."""
    found: dict[Path, Any] = {}

    def entries(entity: Entity) -> list[Any] | None:
        if not found:
            found.update((Path(ledger.beancount_file_path).resolve(), ledger)
                         for ledger in current_app.config["LEDGERS"].ledgers)
        ledger = found.get(entity.main.resolve())
        if ledger is None:
            return None
        ledger.changed()
        ext = ledger.extensions.get_extension("GrantPool")
        loaded = getattr(ext, "loaded", None)
        if not (isinstance(loaded, LoadRecord) and loaded.whole
                and loaded.entries is ledger.all_entries and loaded.stamp is not None
                and loaded.stamp == files_stamp(ledger.options["include"])):
            return None  # being reloaded, changed since, or broken: its books are loaded
        return list(loaded.entries)

    return entries
