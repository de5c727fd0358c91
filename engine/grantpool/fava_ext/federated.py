"""Where a ledger Fava serves stands in a federation, and the pool's roll-up.

Fava serves each entity's own books as a ledger of its own (``grantpool serve`` on a
federation).  A municipality's ledger shows that municipality from its own books.
The pool's own books hold no municipality's grant, so on the pool's ledger the pages
are built from ``grantpool.federation.run``'s roll-up: every entity's own books loaded
on their own (never into the Fava ledger; on local worker processes for a federation of
more than ``IN_PROCESS`` entities), their figures and spending merged in one pass, and
kept until a books file of the federation changes (``Stamp``: each file's mtime and
size).  ``grantpool serve``'s check at start gives every entity's figures as of that
day and its spending from its own loads (``prewarm``): the pool's first page view then
merges them, and loads no books.  For another day (a time filter) the figures come from
every entity's entries as the ledgers of the same Fava hold them, when it serves them
all (``from_loaded``); only otherwise are the books loaded.

Pure functions and one cache; the extension (``GrantPool``) only asks them.  Which
ledger a figure's drill-down opens is in ``drills``.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from grantpool.books.opening import open_books
from grantpool.federation.discover import Federation, entity_of, find
from grantpool.federation.executor import Runner, default_workers
from grantpool.federation.layout import MUNICIPALITIES_DIR, POOL_DIR, Entity
from grantpool.federation.run import (
    Stamp,
    Warm,
    keep_warm,
    merged,
    rollup_outcomes,
    spending,
    stamp,
    warmed,
)
from grantpool.federation.work import Outcome, figured
from grantpool.figures.levels import PoolFigures
from grantpool.figures.spending import Daily
from grantpool.rules.spec import RuleSet


@dataclass(frozen=True)
class Place:
    """A ledger's entity (``kind`` "pool" or "municipality") and its federation."""

    entity: Entity
    federation: Federation

    @property
    def kind(self) -> str:
        return self.entity.kind


def place_of(main: Path) -> Place | None:
    """Where the books whose main file is *main* stand: an entity of a federation (its
    ``grantpool-entity`` line, and the federation's folder above its own), or None for
    the consolidated books and books kept in one ledger."""
    main = main.resolve()
    entity = entity_of(main)
    if entity is None:
        return None
    up = (len(Path(POOL_DIR).parts) if entity.kind == "pool"
          else len(Path(MUNICIPALITIES_DIR).parts) + 1)  # <root>/municipalities/<slug>/
    federation = find(main.parents[up]) if len(main.parents) > up else None
    if federation is None:
        return None
    if not any(e.kind == entity.kind and e.main.resolve() == main
               for e in federation.entities):
        return None
    return Place(entity, federation)


@dataclass(frozen=True)
class Where:
    """A ledger's place (None: the consolidated books, or books kept alone) and, on
    the pool's own, the roll-up of every entity's books."""

    place: Place | None
    rollup: Rollup | None


def where_of(main: Path) -> Where:
    place = place_of(main)
    return Where(place, Rollup(place) if place is not None and place.kind == "pool" else None)


def asked(place: Place | None, page: str, name: str) -> tuple[str, str]:
    """The page and name to show for the *page* and *name* asked: on a municipality's
    own ledger its page, unless another is asked (its books hold no pool)."""
    if place is not None and place.kind == "municipality" and page == "pool":
        return "municipality", name or place.entity.name
    return page, name


def prewarm(federation: Federation, as_of: datetime.date, outcomes: list[Outcome]) -> None:
    """Keep *outcomes* (every entity's figures as of *as_of* and spending by day, from
    ``check_and_figures_entity`` or ``figures_entity``) for the pool's page: its
    ``Rollup`` merges them instead of loading any books, while the federation's files
    stay as they are now.  ``check_federation(..., warm=True)`` does this itself."""
    keep_warm(federation, Warm(stamp(federation), as_of, tuple(outcomes)))


class Rollup:
    """The pool's roll-up, kept until the federation's files change: the figures for
    the last few as-of days, the spending by day, one municipality's entries."""

    KEEP: ClassVar[dict[str, int]] = {"figures": 8, "spending": 1, "entries": 1}

    def __init__(self, place: Place) -> None:
        self.place = place
        self._lock = threading.Lock()
        self._stamp: Stamp | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}

    def federation(self) -> Federation:
        """The federation as its folder is now (a municipality may have been added)."""
        return find(self.place.federation.root) or self.place.federation

    def _get(self, key: tuple[Any, ...],
             compute: Callable[[Federation, Warm | None], Any]) -> Any:
        """The cached *key*, else ``compute(federation, warm)``: *warm* what the check at
        start kept (``prewarm``), if no file of the federation has changed since."""
        with self._lock:
            federation = self.federation()
            now = stamp(federation)
            if now != self._stamp:
                self._cache.clear()
                self._stamp = now
            if key not in self._cache:
                same = [k for k in self._cache if k[0] == key[0]]
                for old in same[:max(len(same) - self.KEEP[key[0]] + 1, 0)]:
                    del self._cache[old]
                self._cache[key] = compute(federation, warmed(federation, now))
            return self._cache[key]

    def figures(self, as_of: datetime.date, loaded: Loaded | None = None,
                rules: RuleSet | None = None) -> PoolFigures:
        """Every level's figures, each from the entity whose books hold them (and, from
        the same pass, the spending by day): from what serve's check kept when it is of
        *as_of*; else from every entity's entries as this Fava has them loaded
        (*loaded*, judged by *rules*), when it has them all; else from their books."""
        def compute(fed: Federation, warm: Warm | None) -> PoolFigures:
            outcomes = (list(warm.outcomes) if warm is not None and warm.as_of == as_of
                        else from_loaded(fed, as_of, loaded, rules)
                        or rollup_outcomes(fed, as_of, runner_for(fed)))
            self._cache.setdefault(("spending",), spending(outcomes))
            return merged(fed, outcomes)[0]

        levels: PoolFigures = self._get(("figures", as_of), compute)
        return levels

    def spending(self) -> Daily:
        """Purchases and salary by municipality and day, from each one's own books."""
        def compute(fed: Federation, warm: Warm | None) -> Daily:
            # spending by day, whatever day the warm figures were as of
            return spending(list(warm.outcomes) if warm is not None else
                            rollup_outcomes(fed, datetime.date.max, runner_for(fed)))

        daily: Daily = self._get(("spending",), compute)
        return daily

    def entries_of(self, municipality: str) -> list[Any]:
        """One municipality's own entries (for a citizen's statement)."""
        def compute(fed: Federation, _: Warm | None) -> list[Any]:
            entity = fed.municipality(municipality)
            return _entries(entity) if entity is not None else []

        entries: list[Any] = self._get(("entries", municipality), compute)
        return entries


# An entity's entries as a Fava ledger of this process holds them, or None.
Loaded = Callable[[Entity], list[Any] | None]
def from_loaded(federation: Federation, as_of: datetime.date, loaded: Loaded | None,
                rules: RuleSet | None) -> list[Outcome] | None:
    """Each entity's figures from its entries as *loaded* gives them (none loaded from
    the books), or None unless it gives every entity's."""
    if loaded is None or rules is None:
        return None
    found = [(entity, loaded(entity)) for entity in federation.entities]
    if any(entries is None for _, entries in found):
        return None
    return [figured(entity, entries or [], rules, as_of) for entity, entries in found]


# Up to this many entities are loaded in the Fava process itself: starting workers costs
# more than loading a few small books.
IN_PROCESS = 8


def runner_for(federation: Federation) -> Runner:
    """Local workers for a large federation, started clean ("spawn": Fava is threaded,
    and a forked child could inherit a lock held by another thread); else none."""
    if len(federation.entities) <= IN_PROCESS:
        return Runner()
    return Runner(default_workers(), context="spawn")


def _entries(entity: Entity) -> list[Any]:
    """An entity's own books, loaded on their own (the rules are not run: the figures
    need the entries only)."""
    return list(open_books(entity.main, datetime.date.max, run_rules=False).entries)
