"""Commands over a federation: each entity's books loaded on their own (in a worker:
``grantpool.federation.executor``), the small results merged here, and the transfers
between them paired.

The pool's books answer for the pool's level, each municipality's for its grant
and citizens; no load ever holds two entities' books, and the parent process never
holds any.  Books of an entity that cannot be loaded are a finding of that entity
(rule ``books-unreadable``) and never stop the others; a malformed rules file stops
the command (``BadRules``), as no books can be judged by it.

``check_federation(..., warm=True)`` (``grantpool serve``) also keeps every entity's
figures and spending from the check's own loads, for the pool's page this process
serves next (``warmed``), while the federation's files stay as they were (``stamp``).
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grantpool.audit.check import BadRules
from grantpool.audit.findings import Finding, Report
from grantpool.audit.reconcile import Check, Node
from grantpool.federation.discover import Federation, NotAFederation
from grantpool.federation.executor import Runner, Work
from grantpool.federation.layout import Entity
from grantpool.federation.pairing import Half, Unpaired, pair
from grantpool.federation.progress import Progress
from grantpool.federation.transfers import slug
from grantpool.federation.work import (
    UNREADABLE,
    Outcome,
    check_and_figures_entity,
    check_entity,
    figures_entity,
    reconcile_entity,
    unreadable_finding,
)
from grantpool.figures.levels import GrantFigures, PoolFigures
from grantpool.figures.spending import Daily
from grantpool.rules.pooldef import PoolDef

__all__ = ["UNREADABLE", "check_federation", "reconcile_federation", "rollup",
           "transfer_problems"]

LOCAL = Runner()
Stamp = tuple[tuple[str, int, int], ...]


def stamp(federation: Federation) -> Stamp:
    """Each entity's main and books file (named from the federation's folder) with its
    mtime and size: a change to any of them, or an entity added or removed, gives
    another stamp."""
    out = []
    for entity in federation.entities:
        for path in (entity.main, entity.books):
            name = str(path.relative_to(federation.root)) if path.is_relative_to(
                federation.root) else str(path)
            try:
                info = path.stat()
            except OSError:
                out.append((name, -1, -1))
                continue
            out.append((name, info.st_mtime_ns, info.st_size))
    return tuple(out)


@dataclass(frozen=True)
class Warm:
    """Every entity's outcome of one pass (figures as of *as_of*, spending by day),
    and the stamp of the federation's files taken before it."""

    stamp: Stamp
    as_of: datetime.date
    outcomes: tuple[Outcome, ...]


_WARM: dict[Path, Warm] = {}
_WARM_LOCK = threading.Lock()


def keep_warm(federation: Federation, warm: Warm) -> None:
    """Keep *warm* for the federation's pages served by this process (one per folder)."""
    with _WARM_LOCK:
        _WARM[federation.root.resolve()] = warm


def warmed(federation: Federation, now: Stamp) -> Warm | None:
    """What ``keep_warm`` kept for the federation, if its files' stamp is still *now*
    (a books file changed since: None, and it is dropped)."""
    key = federation.root.resolve()
    with _WARM_LOCK:
        warm = _WARM.get(key)
        if warm is not None and warm.stamp != now:
            del _WARM[key]
            return None
        return warm


def books_of(federation: Federation) -> dict[str, str]:
    """Where each entity's halves belong: ``"pool"`` and each municipality's name."""
    out = {e.name: str(e.books.resolve()) for e in federation.municipalities}
    if federation.pool is not None:
        out["pool"] = str(federation.pool.books.resolve())
    return out


def transfer_problems(federation: Federation, found: list[Half], days: int,
                      unread: list[Entity]) -> list[Unpaired]:
    """The transfers whose halves do not pair, but for those of an entity whose books
    were not read (its halves are unknown, not missing)."""
    if federation.pool is not None and federation.pool in unread:
        return []
    skipped = {slug(e.name) for e in unread}  # a name, or the folder of an unreadable main
    return [u for u in pair(found, days, books_of(federation))
            if slug(u.halves[0].municipality) not in skipped]


def _run(federation: Federation, work: Work, as_of: datetime.date, runner: Runner,
         progress: Progress | None) -> list[Outcome]:
    outcomes = runner.run(work, federation.entities, as_of, progress)
    if progress:
        progress.close()
    for outcome in outcomes:
        if outcome.bad_rules:
            raise BadRules(list(outcome.bad_rules))
    return outcomes


def _pairs(federation: Federation, outcomes: list[Outcome]) -> list[Unpaired]:
    found = [h for o in outcomes for h in o.halves]
    unread = [o.entity for o in outcomes if o.unreadable]
    pools = [o.pool for o in outcomes if o.pool is not None]
    days = pools[0].transfer_days if pools else 0
    return transfer_problems(federation, found, days, unread)


def check_federation(federation: Federation, as_of: datetime.date, shown: Path | None = None,
                     runner: Runner = LOCAL, progress: Progress | None = None,
                     warm: bool = False) -> Report:
    """``grantpool check`` on a federation: each entity's findings, then every transfer
    that does not pair (rule ``transfer-pair``).  The report names *shown* (the path
    the user gave), else the federation's folder.  With *warm* (``grantpool serve``)
    each entity's figures as of *as_of* and its spending come from the same loads and
    are kept (``keep_warm``) for the pool's page."""
    before = stamp(federation) if warm else ()
    work = check_and_figures_entity if warm else check_entity
    outcomes = _run(federation, work, as_of, runner, progress)
    if warm:
        keep_warm(federation, Warm(before, as_of, tuple(  # the figures kept, not findings
            dataclasses.replace(o, findings=(), halves=()) for o in outcomes)))
    findings: list[Finding] = []
    for outcome in outcomes:
        findings += outcome.findings
        if outcome.unreadable:
            findings.append(unreadable_finding(outcome.entity, outcome.unreadable))
    for item in _pairs(federation, outcomes):
        first = item.halves[0]
        findings.append(Finding("transfer-pair", "error", item.message, first.filename,
                                first.lineno, first.date))
    return Report(shown or federation.root, as_of, tuple(findings))


def reconcile_federation(federation: Federation, as_of: datetime.date, runner: Runner = LOCAL,
                         progress: Progress | None = None) -> Node:
    """The reconciliation tree of a federation: the pool's level from the pool's books,
    each municipality from its own, and a ``transfers`` node pairing the halves."""
    outcomes = _run(federation, reconcile_entity, as_of, runner, progress)
    root = Node("pool", "?")
    for outcome in outcomes:
        if outcome.entity.kind == "pool" and outcome.tree is not None:
            root = Node(outcome.tree.level, outcome.tree.name, list(outcome.tree.checks),
                        [*outcome.tree.children, *root.children])
        elif outcome.tree is not None:
            children = outcome.tree.children or [Node("municipality", outcome.entity.name)]
            children[0].checks += outcome.tree.checks[1:]  # its bank checks, not an empty pool's
            root.children += children
        else:
            why = unreadable_finding(outcome.entity, outcome.unreadable).message
            root.children.append(Node("municipality" if outcome.entity.kind != "pool"
                                      else "pool", outcome.entity.name,
                                      [Check("books loaded", Decimal(1), Decimal(0), [], why)]))
    transfers = Node("transfers", "pool <-> municipalities",
                     [_check(u) for u in _pairs(federation, outcomes)])
    if not transfers.checks:
        count = sum(1 for o in outcomes for h in o.halves if h.side == "pool")
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


def rollup(federation: Federation, as_of: datetime.date, runner: Runner = LOCAL,
           progress: Progress | None = None,
           ) -> tuple[PoolFigures, PoolDef, Decimal | None, list[str]]:
    """The figures of every level, rolled up from each entity's own results: the pool's
    level from the pool's books, each grant and its citizens from the municipality's
    own.  Returns the figures, the pool, the citizen cap and the reasons any entity's
    books could not be read."""
    return merged(federation, rollup_outcomes(federation, as_of, runner, progress))


def rollup_outcomes(federation: Federation, as_of: datetime.date, runner: Runner = LOCAL,
                    progress: Progress | None = None) -> list[Outcome]:
    """Each entity's figures (and spending by day), from its own books on a worker."""
    return _run(federation, figures_entity, as_of, runner, progress)


def spending(outcomes: list[Outcome]) -> Daily:
    """Spending by municipality and day, from each municipality's own outcome."""
    out: Daily = {}
    for outcome in outcomes:
        out.update(outcome.daily or {})
    return out


def merged(federation: Federation, outcomes: list[Outcome],
           ) -> tuple[PoolFigures, PoolDef, Decimal | None, list[str]]:
    """The roll-up of *outcomes* (``rollup``'s result)."""
    result = PoolFigures()
    grants: dict[str, GrantFigures] = {}
    pool: PoolDef | None = None
    cap: Decimal | None = None
    unread = []
    for outcome in outcomes:
        if outcome.figures is None:
            unread.append(unreadable_finding(outcome.entity, outcome.unreadable).message)
            continue
        pool, cap = pool or outcome.pool, cap if cap is not None else outcome.cap
        if outcome.entity.kind == "pool":  # a copy: the outcome may be merged again
            grants.update(result.grants)
            result = dataclasses.replace(outcome.figures)
        grants.update(outcome.figures.grants)
    if pool is None:
        raise NotAFederation(f"{federation.root}: no entity's books could be read "
                             f"({'; '.join(unread) or 'none found'})")
    result.grants = grants
    return result, pool, cap, unread
