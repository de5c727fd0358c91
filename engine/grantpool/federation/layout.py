"""Where each entity's books live in a federation's folder, and what its main file says.

::

    ledger/
      main.beancount                   the ministry's consolidated overview: includes
                                       every entity's books.beancount
      pool/main.beancount              the pool's own books: options, rules plugin,
      pool/books.beancount             Fava extension; its entries
      municipalities/<slug>/main.beancount   one municipality's own books
      municipalities/<slug>/books.beancount

An entity's main file names itself in a ``custom "grantpool-entity"`` directive
(``"pool" "<pool id>"`` or ``"municipality" "<name>"``), so the folder can be read
without loading any books.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grantpool.federation.transfers import slug
from grantpool.generate.writer import quote
from grantpool.i18n.formats import locale_of
from grantpool.rules.pooldef import PoolDef

MAIN = "main.beancount"
BOOKS = "books.beancount"
POOL_DIR = "pool"
MUNICIPALITIES_DIR = "municipalities"
ENTITY_DIRECTIVE = "grantpool-entity"


@dataclass(frozen=True)
class Entity:
    kind: str  # "pool" or "municipality"
    name: str  # the pool's id, or the municipality as its books spell it
    main: Path

    @property
    def books(self) -> Path:
        return self.main.parent / BOOKS

    def missing(self) -> str:
        """Why the entity's entries cannot be there (its books file gone), or ""."""
        if self.books.is_file():
            return ""
        return f"{self.books}: no such file; the entity's entries are kept there: restore it"


def entity_dir(kind: str, name: str) -> str:
    """The entity's folder, relative to the federation's folder."""
    return POOL_DIR if kind == "pool" else f"{MUNICIPALITIES_DIR}/{slug(name)}"


def title(pool: PoolDef, kind: str | None = None, name: str = "") -> str:
    """The books' title (Fava's slug is made from it): the consolidated books', or an
    entity's."""
    base = f"Grant pool {pool.id}"
    if kind is None:
        return base
    return f"{base}: pool" if kind == "pool" else f"{base}: {name}"


def header_lines(pool: PoolDef, heading: str, header: str, title_text: str,
                 rules: str) -> list[str]:
    return [
        f";; {heading}",
        f";; {header}",
        "",
        f"option \"title\" {quote(title_text)}",
        f'option "operating_currency" "{pool.currency}"',
        "",
        f"plugin \"grantpool.plugin\" {quote(rules)}",
        f'{pool.appropriation_date} custom "fava-extension" "grantpool.fava_ext"',
        f'{pool.appropriation_date} custom "fava-option" "locale" "{locale_of(pool.language)}"',
    ]


def consolidated_text(pool: PoolDef, includes: list[str], header: str, rules: str) -> str:
    """The ministry's overview: every entity's books in one ledger."""
    lines = header_lines(pool, f"Grant pool books, consolidated: {pool.name}", header,
                         title(pool), rules)
    lines += ["", *(f"include {quote(name)}" for name in includes)]
    return "\n".join(lines) + "\n"


def entity_text(pool: PoolDef, kind: str, name: str, header: str, rules: str) -> str:
    """An entity's own main file: complete books of their own."""
    whose = "The pool's own books" if kind == "pool" else f"{name}'s own books"
    lines = header_lines(pool, f"{whose}: {pool.name}", header, title(pool, kind, name), rules)
    lines += [f"{pool.appropriation_date} custom {quote(ENTITY_DIRECTIVE)} {quote(kind)} "
              f"{quote(name)}", "", f"include {quote(BOOKS)}"]
    return "\n".join(lines) + "\n"


def rules_from(folder: str, rules: str) -> str:
    """*rules* (relative to the federation's folder, or absolute) as seen from *folder*."""
    if os.path.isabs(rules):
        return rules
    return os.path.normpath(os.path.join(os.path.relpath(".", folder), rules))
