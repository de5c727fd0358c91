"""Read a federation's folder: which entities it has and where their books are.

A path names a federation when it is its folder, or its consolidated main file (a
``main.beancount`` with a ``pool/main.beancount`` beside it).  Any other main file
is one set of books: an entity's own, or books kept in one ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grantpool.books import chart as acc
from grantpool.federation.layout import (
    ENTITY_DIRECTIVE,
    MAIN,
    MUNICIPALITIES_DIR,
    POOL_DIR,
    Entity,
)

_ENTITY = re.compile(
    r'^\d{4}-\d\d-\d\d\s+custom\s+"' + ENTITY_DIRECTIVE
    + r'"\s+"(pool|municipality)"\s+"((?:[^"\\\n]|\\.)*)"', re.M)


class NotAFederation(ValueError):
    """The folder holds no federation's books; the message says what was expected."""


@dataclass(frozen=True)
class Federation:
    root: Path
    consolidated: Path | None
    pool: Entity | None
    municipalities: tuple[Entity, ...]

    @property
    def entities(self) -> tuple[Entity, ...]:
        return ((self.pool,) if self.pool else ()) + self.municipalities

    def municipality(self, name: str) -> Entity | None:
        """The municipality *name* (as spelled, or as its account component, any case)."""
        wanted = acc.component(name).casefold()
        return next((e for e in self.municipalities
                     if e.name == name or acc.component(e.name).casefold() == wanted), None)

    def names(self) -> str:
        return ", ".join(e.name for e in self.municipalities) or "none yet"


def entity_of(main: Path) -> Entity | None:
    """The entity whose own main file *main* is, or None (no entity directive in it)."""
    try:
        text = main.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _ENTITY.search(text)
    if found is None:
        return None
    name = re.sub(r"\\(.)", r"\1", found.group(2))
    return Entity(found.group(1), name, main)


def is_federation(path: Path) -> bool:
    root = path if path.is_dir() else path.parent
    return (root / POOL_DIR / MAIN).is_file() and (path.is_dir() or path.name == MAIN)


def find(path: Path) -> Federation | None:
    """The federation *path* names, or None when it names one set of books."""
    if not is_federation(path):
        return None
    root = path if path.is_dir() else path.parent
    consolidated = root / MAIN
    pool = entity_of(root / POOL_DIR / MAIN)
    munis = []
    for main in sorted((root / MUNICIPALITIES_DIR).glob(f"*/{MAIN}")):
        # A main file that does not say whose it is (unreadable, or the line missing) is
        # still a municipality's: kept under its folder's name, so loading it reports it.
        entity = entity_of(main) or Entity("municipality", main.parent.name, main)
        if entity.kind == "municipality":
            munis.append(entity)
    return Federation(root, consolidated if consolidated.is_file() else None, pool,
                      tuple(munis))


def load_federation(path: Path) -> Federation:
    """The federation at *path*; ``NotAFederation`` says what is missing."""
    found = find(path)
    if found is None or found.pool is None:
        raise NotAFederation(
            f"{path}: not a federation's books (expected {POOL_DIR}/{MAIN} with a "
            f'custom "{ENTITY_DIRECTIVE}" line, and {MUNICIPALITIES_DIR}/<name>/{MAIN})')
    return found
