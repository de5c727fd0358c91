"""Commands over a federation: each entity's books loaded on their own, the results
merged, and the transfers between them paired.

The pool's books answer for the pool's level, each municipality's for its grant
and citizens; no load ever holds two entities' books.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grantpool.audit.check import findings_of, load_checked
from grantpool.audit.findings import Finding, Report
from grantpool.audit.reconcile import Check, Node, reconcile
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import open_books
from grantpool.federation.discover import Federation, NotAFederation
from grantpool.federation.layout import Entity
from grantpool.federation.pairing import Half, Unpaired, halves, pair
from grantpool.federation.transfers import slug
from grantpool.figures.levels import PoolFigures, figures
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.spec import RuleSet


@dataclass(frozen=True)
class EntityResult:
    """What one entity's books gave: its reconciliation and its transfer halves."""

    entity: Entity
    tree: Node
    halves: tuple[Half, ...]
    pool: PoolDef


def read_entity(entity: Entity, as_of: datetime.date) -> EntityResult:
    """Load one entity's own books and reconcile them."""
    books = open_books(entity.main, as_of)
    return EntityResult(entity, reconcile(books.entries, books.rules, as_of),
                        tuple(halves(books.entries)), books.rules.pool)


def books_of(federation: Federation) -> dict[str, str]:
    """Where each entity's halves belong: ``"pool"`` and each municipality's name."""
    out = {e.name: str(e.books) for e in federation.municipalities}
    if federation.pool is not None:
        out["pool"] = str(federation.pool.books)
    return out


def unpaired(federation: Federation, results: list[EntityResult]) -> list[Unpaired]:
    found = [h for r in results for h in r.halves]
    days = results[0].pool.transfer_days if results else 0
    return pair(found, days, books_of(federation))


def check_federation(federation: Federation, as_of: datetime.date,
                     shown: Path | None = None) -> Report:
    """``grantpool check`` on a federation: each entity's findings, then every transfer
    that does not pair (rule ``transfer-pair``).  Books of an entity that cannot be
    loaded are an error finding of that entity (rule ``books-unreadable``) and never
    stop the others.  The report names *shown* (the path the user gave), else the
    federation's folder.  ``BadRules`` when the rules file itself is malformed."""
    findings: list[Finding] = []
    found: list[Half] = []
    unread: list[Entity] = []
    days: int | None = None
    for entity in federation.entities:
        try:
            entries, errors, rules = load_checked(entity.main, as_of)
        except (CannotLoad, OSError) as exc:  # OSError: an included file unreadable
            findings.append(unreadable(entity, str(exc)))
            unread.append(entity)
            continue
        findings += findings_of(errors)
        found += halves(entries)
        days = rules.pool.transfer_days if days is None else days
    for item in transfer_problems(federation, found, days or 0, unread):
        first = item.halves[0]
        findings.append(Finding("transfer-pair", "error", item.message, first.filename,
                                first.lineno, first.date))
    return Report(shown or federation.root, as_of, tuple(findings))


UNREADABLE = "books-unreadable"


def unreadable(entity: Entity, why: str) -> Finding:
    """Books of *entity* that could not be loaded, as an error finding of theirs."""
    whose = entity.name if entity.kind == "municipality" else "the pool"
    return Finding(UNREADABLE, "error", f"the books of {whose} could not be checked, so none "
                   f"of their findings is known: {why}", str(entity.main), 0)


def transfer_problems(federation: Federation, found: list[Half], days: int,
                      unread: list[Entity]) -> list[Unpaired]:
    """The transfers whose halves do not pair, but for those of an entity whose books
    were not read (its halves are unknown, not missing)."""
    if federation.pool is not None and federation.pool in unread:
        return []
    skipped = {slug(e.name) for e in unread}  # a name, or the folder of an unreadable main
    return [u for u in pair(found, days, books_of(federation))
            if slug(u.halves[0].municipality) not in skipped]


def reconcile_federation(federation: Federation, as_of: datetime.date) -> Node:
    """The reconciliation tree of a federation: the pool's level from the pool's books,
    each municipality from its own, and a ``transfers`` node pairing the halves."""
    results = [read_entity(e, as_of) for e in federation.entities]
    pool_results = [r for r in results if r.entity.kind == "pool"]
    root = pool_results[0].tree if pool_results else Node("pool", "?")
    for result in results:
        if result.entity.kind == "pool":
            continue
        children = result.tree.children or [Node("municipality", result.entity.name)]
        children[0].checks += result.tree.checks[1:]  # its bank checks, not an empty pool's
        root.children += children
    transfers = Node("transfers", "pool <-> municipalities",
                     [_check(u) for u in unpaired(federation, results)])
    if not transfers.checks:
        count = sum(1 for r in results for h in r.halves if h.side == "pool")
        transfers.checks.append(Check(f"every transfer booked by both sides ({count} pairs)",
                                      Decimal(count), Decimal(count)))
    root.children.append(transfers)
    return root


def _check(item: Unpaired) -> Check:
    name = {"missing": "both halves booked", "amount": "halves of the same amount",
            "late": "halves within the rules' days", "municipality": "halves of one municipality",
            "duplicate": "each half booked once", "unlinked": "every half linked"}[item.problem]
    return Check(f"^{item.link or '?'}: {name}", item.expected, item.found,
                 list(item.halves), item.message)


def rollup(federation: Federation, as_of: datetime.date) -> tuple[PoolFigures, RuleSet]:
    """The figures of every level, rolled up: the pool's level from the pool's books,
    each grant and its citizens from the municipality's own."""
    merged: PoolFigures | None = None
    rules: RuleSet | None = None
    for entity in federation.entities:
        books = open_books(entity.main, as_of, run_rules=False)
        rules = rules or books.rules
        levels = figures(books.entries, as_of)
        if entity.kind == "pool":
            levels.grants = {**(merged.grants if merged else {}), **levels.grants}
            merged = levels
        elif merged is None:
            merged = PoolFigures(grants=dict(levels.grants))
        else:
            merged.grants.update(levels.grants)
    if merged is None or rules is None:
        raise NotAFederation(f"{federation.root}: the federation has no books")
    return merged, rules
