"""Which ledger a figure's drill-down opens when Fava serves a federation.

The links (``grantpool.figures.links``) name accounts of the consolidated books.  On
the pool's own ledger only the pool's own figures have their postings there; on a
municipality's, everything but the award (the pool's half of it).  A link whose
postings are elsewhere opens the ledger that holds them, if this Fava serves it:
the consolidated overview first, else the entity's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fava.application import url_for

from grantpool.fava_ext.federated import Place
from grantpool.figures.links import Link

# The pool row's figures whose postings are all in the pool's own books.
POOL_OWN = frozenset({"appropriation", "kept_share", "admin_spent", "granted", "returned",
                      "remaining"})


def target(kind: str | None, level: str, figure: str) -> tuple[str, ...]:
    """Which ledgers hold the postings behind a figure's link, best first:
    ``"here"``, ``"consolidated"``, ``"pool"`` or ``"municipality"`` (the row's own).

    The links (``grantpool.figures.links``) name accounts of the consolidated books.
    On the pool's own ledger only the pool's own figures are there; on a
    municipality's, everything but the award, which is the pool's half."""
    if kind == "pool" and not (level == "pool" and figure in POOL_OWN):
        return ("consolidated", "municipality") if level != "pool" else ("consolidated",)
    if kind == "municipality" and level == "municipality" and figure == "granted":
        return ("consolidated", "pool")
    return ("here",)


@dataclass(frozen=True)
class Drill:
    """A figure's link, in the ledger *bfile* (Fava's slug) when not the page's own."""

    link: Link
    bfile: str | None = None

    @property
    def endpoint(self) -> str:
        return self.link.endpoint

    def params(self) -> dict[str, str]:
        out = self.link.params()
        if self.bfile:
            out["bfile"] = self.bfile
        return out


def ledger_path(place: Place, where: str, municipality: str | None) -> Path | None:
    """The main file of the ledger *where* (a ``target``) names, if there is one."""
    federation = place.federation
    if where == "consolidated":
        return federation.consolidated
    if where == "pool":
        return federation.pool.main if federation.pool else None
    if where == "municipality" and municipality:
        entity = federation.municipality(municipality)
        return entity.main if entity else None
    return None


def drill(place: Place | None, slugs: dict[Path, str], link: Link, level: str, figure: str,
          municipality: str | None) -> Drill:
    """*link* in the first ledger of ``target`` that this Fava serves (*slugs*: each
    served main file, resolved, and its slug); the page's own when none is.  A page
    asks ``Drills``, which remembers each answer."""
    return Drills(place, slugs).drill(link, level, figure, municipality)


class Drills:
    """``drill`` for one page: which ledger each (level, figure, municipality) opens is
    worked out once, and each ledger's main file found and resolved once."""

    def __init__(self, place: Place | None, slugs: dict[Path, str]) -> None:
        self.place, self.slugs = place, slugs
        self._bfile: dict[tuple[str, str, str | None], str | None] = {}
        self._paths: dict[tuple[str, str | None], str | None] = {}

    def bfile(self, level: str, figure: str, municipality: str | None) -> str | None:
        """The slug of the ledger the figure's link opens (None: the page's own)."""
        key = (level, figure, municipality)
        if key not in self._bfile:
            self._bfile[key] = self._first(level, figure, municipality)
        return self._bfile[key]

    def _first(self, level: str, figure: str, municipality: str | None) -> str | None:
        if self.place is None:
            return None
        for where in target(self.place.kind, level, figure):
            if where == "here":
                return None
            slug = self._slug(where, municipality)
            if slug is not None:
                return slug
        return None

    def _slug(self, where: str, municipality: str | None) -> str | None:
        key = (where, municipality if where == "municipality" else None)
        if key not in self._paths:
            assert self.place is not None
            path = ledger_path(self.place, where, municipality)
            self._paths[key] = self.slugs.get(path.resolve()) if path is not None else None
        return self._paths[key]

    def drill(self, link: Link, level: str, figure: str, municipality: str | None) -> Drill:
        """*link* in the ledger ``bfile`` picks (``drill``)."""
        return Drill(link, self.bfile(level, figure, municipality))


def served(ledgers: Any) -> dict[Path, str]:
    """Each ledger Fava serves (its ``LEDGERS``): main file (resolved) and slug."""
    return {Path(ledger.beancount_file_path).resolve(): slug for slug, ledger in ledgers.items()}


def elsewhere(place: Place | None, municipality: str, citizen: str,
              slugs: dict[Path, str]) -> dict[str, str | None]:
    """On the pool's ledger a citizen's lines are in *municipality*'s books: the slug of
    the ledger that serves them (``source_bfile``: its own, else the consolidated), and
    the citizen's page in its own, where the purchase form is (``record_at``)."""
    if place is None:
        return {"source_bfile": None, "record_at": None}
    paths = [ledger_path(place, where, municipality) for where in ("municipality",
                                                                   "consolidated")]
    own, whole = (slugs.get(path.resolve()) if path else None for path in paths)
    record_at = url_for("extension_report", bfile=own, extension_name="GrantPool",
                        page="citizen", name=citizen) if own else None
    return {"source_bfile": own or whole, "record_at": record_at}
