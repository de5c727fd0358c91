"""Which books an entry goes to: on a federation, one entity's own books only.

An entry command takes the books as ``--ledger``.  When that names a federation (its
folder, or its consolidated main file), the entry is routed to ONE entity and only that
entity's books are loaded, judged, locked and written: a municipality's entry to the
municipality named; a citizen's entry to the municipality whose books hold the
citizen, found by the citizen's ``citizen: "P-…"`` metadata line in each
municipality's books text (read, never loaded: no other entity's books are parsed, so
one entity's broken file never stops another's entries).  Any other main file (an
entity's own, or books kept in one ledger) is one set of books, as given.

Locks are always taken in one order (the consolidated folder, the pool's, then the
municipalities' by folder name), so two writers that need several never deadlock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grantpool.entry.entries import CITIZEN_ID, NOT_AN_ID, EntryError, shown
from grantpool.federation.discover import Federation, entity_of, find
from grantpool.federation.layout import BOOKS, MAIN, Entity
from grantpool.i18n import N_


class UnknownEntity(EntryError):
    """No entity of the federation is the one asked for; the message names those known."""


@dataclass(frozen=True)
class Target:
    """The books an entry is loaded, judged, locked and written in."""

    main: Path  # the main file to load: an entity's own, or the single books given
    federation: Federation | None  # the federation routed through, if any
    entity: Entity | None  # the entity whose books *main* is, if it is one


def federation_at(ledger: Path) -> Federation | None:
    """The federation *ledger* names (its folder or consolidated main), or None."""
    return find(ledger)


def folder_of(ledger: Path) -> Path:
    """The folder of the books *ledger* names (the folder itself, or its main file's)."""
    return (ledger if ledger.is_dir() else ledger.parent).resolve()


def single(ledger: Path) -> Target:
    """*ledger* as one set of books (an entity's own main file is one too)."""
    main = ledger / MAIN if ledger.is_dir() else ledger
    return Target(main, None, entity_of(main))


NOT_ITS_MUNICIPALITY = N_("'%(name)s' is not a municipality in the federation at %(root)s "
                          "(its municipalities: %(names)s)")
NOT_ITS_CITIZEN = N_("no budget for citizen %(pid)s in the federation at %(root)s (its "
                     "municipalities: %(names)s); grant one first (the budget form, or "
                     "grantpool budget)")


def _unknown(federation: Federation, msgid: str, **values: object) -> UnknownEntity:
    """*msgid* (naming *values*, the federation's folder and its municipalities)."""
    return UnknownEntity(msgid, root=federation.root, names=federation.names(), **values)


def for_municipality(ledger: Path, name: str) -> Target:
    """The books of municipality *name*: its own on a federation, else *ledger*."""
    federation = federation_at(ledger)
    if federation is None:
        return single(ledger)
    entity = federation.municipality(name)
    if entity is None:
        raise _unknown(federation, NOT_ITS_MUNICIPALITY, name=shown(name))
    return Target(entity.main, federation, entity)


def for_citizen(ledger: Path, pid: str) -> Target:
    """The books holding citizen *pid*: on a federation, the one municipality's whose
    books text opens the citizen's accounts, else *ledger*."""
    federation = federation_at(ledger)
    if federation is None:
        return single(ledger)
    if not CITIZEN_ID.fullmatch(pid):
        raise EntryError(NOT_AN_ID, pid=shown(pid))
    homes = [e for e in federation.municipalities if holds_citizen(e, pid)]
    if not homes:
        raise _unknown(federation, NOT_ITS_CITIZEN, pid=pid)
    if len(homes) > 1:
        raise EntryError(f"citizen {pid} is in the books of {', '.join(e.name for e in homes)}; "
                         f"an id belongs to one municipality: correct the books")
    return Target(homes[0].main, federation, homes[0])


def holds_citizen(entity: Entity, pid: str) -> bool:
    """Whether the books text of *entity* (its files beside its main file) carries
    *pid* as a ``citizen:`` metadata value: read as bytes, never loaded.  A file is
    searched line by line only if it holds *pid* at all (a search at C speed: at
    national size an entry reads 98 municipalities' books, some 330 MB)."""
    needle = pid.encode()
    marker = re.compile(rb'^[ \t]+citizen:[ \t]*"' + re.escape(needle)
                        + rb'"[ \t]*(?:;[^\r\n]*)?\r?$', re.M)  # \r\n: saved on Windows
    return any(needle in raw and marker.search(raw) for raw in _contents(entity))


def _contents(entity: Entity) -> Iterable[bytes]:
    folder = entity.main.parent
    for path in [folder / BOOKS, *sorted(p for p in folder.glob("*.beancount")
                                         if p.name not in (BOOKS, MAIN))]:
        try:
            yield path.read_bytes()
        except OSError:
            continue


def lock_folders(federation: Federation | None, *folders: Path) -> list[Path]:
    """*folders* (each once) in the one order locks are taken: the consolidated folder,
    the pool's, then the municipalities' by path."""
    root = federation.root.resolve() if federation else None
    pool = federation.pool.main.parent.resolve() if federation and federation.pool else None

    def rank(folder: Path) -> tuple[int, str]:
        return (0 if folder == root else 1 if folder == pool else 2, str(folder))

    return sorted({f.resolve() for f in folders}, key=rank)


def main_folders(main: Path) -> list[Path]:
    """The folders to lock for writing through *main*: its own, or, when *main* is a
    federation's consolidated main (a writer that did not route), every entity's too."""
    federation = federation_at(main)
    if federation is None:
        return [main.resolve().parent]
    return lock_folders(federation, federation.root,
                        *(e.main.parent for e in federation.entities))
