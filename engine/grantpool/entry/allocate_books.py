"""``grantpool allocate`` on a federation: the grants written into the entities' books.

For each grant: the municipality's own books (``municipalities/<slug>/books.beancount``
with its accounts and its halves of the award and the tranches; its ``main.beancount``),
the ``include`` of its books in the consolidated main file, and the pool's halves in the
pool's books.  The pool's halves are judged against the pool's books, each new
municipality's books alone (they are all it has); nothing is written if any adds an
error finding.  The consolidated folder's lock and the pool's are held throughout, so
no other allocation or pool's entry runs meanwhile; a new municipality's folder needs
none: its main file is written last, so no entry can be routed to it before the rest is
in, and another allocation waits for the consolidated lock.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grantpool.books import chart as acc
from grantpool.books.opening import Books as Loaded
from grantpool.books.opening import declared_rules, open_books
from grantpool.books.writing import books_locks
from grantpool.entry.allocate import Allocation, Application, allocate
from grantpool.entry.entries import EntryError
from grantpool.entry.federated import Judged, pool_of, write_judged
from grantpool.entry.guard import NEW_ENTRY, Verdict
from grantpool.entry.route import lock_folders
from grantpool.federation.discover import Federation
from grantpool.federation.layout import BOOKS, MAIN, entity_dir, entity_text
from grantpool.figures.levels import figures
from grantpool.generate.muni_file import grant_opens
from grantpool.generate.pool_file import grant_entries
from grantpool.generate.writer import quote, render
from grantpool.rules.pooldef import PoolDef

HEADER = "Made by `grantpool allocate`; entries are added by grantpool's commands."


@dataclass(frozen=True)
class Allocated:
    allocations: list[Allocation]
    verdict: Verdict
    changes: int  # the files' parts written (or, dry, that would be)


def record_allocation(federation: Federation, applications: list[Application],
                      day: datetime.date, today: datetime.date, dry_run: bool,
                      show: Callable[[list[Allocation], PoolDef], None]) -> Allocated:
    """Allocate *applications* under the pool's rules and write the grants (unless
    *dry_run*); *show* is given the allocation before it is judged.  Raises
    ``EntryError`` (a municipality granted already, a folder in the way), ``Refused``,
    ``WriteRefused``, ``CannotLoad``/``NoRules``."""
    pool_main = pool_of(federation)
    consolidated = federation.consolidated
    if consolidated is None:
        raise EntryError(f"{federation.root / MAIN}: the consolidated main file is missing; "
                         f"allocate writes each grant's include into it")
    with books_locks(lock_folders(federation, federation.root, pool_main.parent)):
        books = open_books(pool_main, today, run_rules=False)
        pool = books.rules.pool
        levels = figures(books.entries, datetime.date.max)
        granted = {acc.component(n) for n, x in levels.awarded_to.items() if x}
        granted |= {acc.component(e.name) for e in federation.municipalities}
        if taken := sorted(a.municipality for a in applications
                           if acc.component(a.municipality) in granted):
            raise EntryError(f"already granted: {', '.join(taken)}; one grant per "
                             f"municipality in a pool")
        result = allocate(pool, applications, levels.granted)
        show(result, pool)
        rules = declared_rules(books.options) or Path(books.rules.filename)
        parts = _parts(federation, consolidated, pool, [a for a in result if a.courses], day,
                       rules, books)
        verdict = write_judged(parts, books.rules, day, dry_run, None,
                               "grants and their tranches") if parts else Verdict([], [])
    return Allocated(result, verdict, len(parts))


def _parts(federation: Federation, consolidated: Path, pool: PoolDef,
           granted: list[Allocation], day: datetime.date, rules: Path,
           books: Loaded) -> list[Judged]:
    """Each grant's new books, the pool's halves, the includes, then the new main files."""
    root = federation.root
    books_parts, pool_side, includes, mains = [], [], [], []
    for a in granted:
        name = a.application.municipality
        folder = entity_dir("municipality", name)
        if (root / folder / MAIN).exists() or (root / folder / BOOKS).exists():
            raise EntryError(f"{root / folder}: holds books already (another municipality's "
                             f"name folds to the same folder?); move them away first")
        pool_half, own = grant_entries(pool, name, a.courses, day)
        opens = [render(d, pool.currency) for d in grant_opens(pool, name, day)]
        text = "\n\n".join(opens + [render(d, pool.currency) for d in own])
        books_parts.append(Judged(root / folder / BOOKS, f";; {name}: grant, budgets, "
                                  f"purchases\n\n{text}\n", None, f"<new books of {name}>"))
        pool_side += [render(d, pool.currency) for d in pool_half]
        includes.append(Judged(consolidated, f"include {quote(f'{folder}/{BOOKS}')}\n", None,
                               NEW_ENTRY, judged=False))
        declared = os.path.relpath(rules.resolve(), (root / folder).resolve())
        mains.append(Judged(root / folder / MAIN,
                            entity_text(pool, "municipality", name, HEADER, declared), None,
                            NEW_ENTRY, judged=False))
    if not granted:
        return []
    pool_part = Judged(pool_of(federation).parent / BOOKS, "\n\n".join(pool_side) + "\n",
                       books, NEW_ENTRY)
    return [*books_parts, pool_part, *includes, *mains]
