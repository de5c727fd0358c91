"""The work done on one entity's books, in a worker: load them alone, return a small,
picklable result (findings, halves, figures; never the loaded entries).

Each function takes the entity and the as-of day and never raises for books that
cannot be read: that is the result's ``unreadable`` reason, a finding of that entity,
so one entity never stops the others.  A malformed rules file is the result's
``bad_rules`` (the caller stops: no books can be judged by it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from grantpool.audit.check import BadRules, findings_of
from grantpool.audit.findings import Finding
from grantpool.audit.reconcile import Node, reconcile
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import Books, NoRules, open_books
from grantpool.federation.layout import Entity
from grantpool.federation.pairing import Half, halves
from grantpool.figures.levels import PoolFigures, figures
from grantpool.figures.render import citizen_cap
from grantpool.figures.spending import Daily, daily_spending
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.spec import RuleSet

UNREADABLE = "books-unreadable"


@dataclass(frozen=True)
class Outcome:
    """What one entity gave: exactly one of its result, the reason its books could not
    be read, or the rules file's findings when that is malformed."""

    entity: Entity
    halves: tuple[Half, ...] = ()
    pool: PoolDef | None = None
    unreadable: str = ""
    bad_rules: tuple[Finding, ...] = ()
    findings: tuple[Finding, ...] = ()  # check
    tree: Node | None = None  # reconcile
    figures: PoolFigures | None = None  # report
    cap: Decimal | None = None  # report: the citizen cap of the rules
    daily: Daily | None = None  # report: spending by municipality and day (the chart's)


def unreadable_finding(entity: Entity, why: str) -> Finding:
    """Books of *entity* that could not be loaded, as an error finding of theirs."""
    whose = entity.name if entity.kind == "municipality" else "the pool"
    return Finding(UNREADABLE, "error", f"the books of {whose} could not be checked, so none "
                   f"of their findings is known: {why}", str(entity.main), 0)


def _open(entity: Entity, as_of: datetime.date, run_rules: bool) -> Books | Outcome:
    if missing := entity.missing():  # its main file alone would load clean, and empty
        return Outcome(entity, unreadable=missing)
    try:
        return open_books(entity.main, as_of, run_rules=run_rules)
    except NoRules as exc:
        return Outcome(entity, bad_rules=(Finding("rules-file", "error", str(exc),
                                                  str(entity.main), 0),))
    except (CannotLoad, OSError) as exc:  # OSError: an included file unreadable
        return Outcome(entity, unreadable=str(exc))


def check_entity(entity: Entity, as_of: datetime.date) -> Outcome:
    """``check`` of one entity: its loader's and rules' findings, and its halves."""
    return _checked(entity, as_of, with_figures=False)


def check_and_figures_entity(entity: Entity, as_of: datetime.date) -> Outcome:
    """``check_entity`` and, from the same load, ``figures_entity``'s figures as of
    *as_of*, citizen cap and spending by day (``grantpool serve``: the check it starts
    with also readies the pool's page).  The plugin's rules add errors, never change
    the entries, so these are the figures of a load without the rules."""
    return _checked(entity, as_of, with_figures=True)


def _checked(entity: Entity, as_of: datetime.date, with_figures: bool) -> Outcome:
    books = _open(entity, as_of, run_rules=True)
    if isinstance(books, Outcome):
        return books
    try:
        found = findings_of(books.errors)
    except BadRules as exc:
        return Outcome(entity, bad_rules=tuple(exc.findings))
    checked = Outcome(entity, tuple(halves(books.entries)), books.rules.pool,
                      findings=tuple(found))
    if not with_figures:
        return checked
    return replace(checked, figures=figures(books.entries, as_of),
                   cap=citizen_cap(books.rules), daily=daily_spending(books.entries))


def reconcile_entity(entity: Entity, as_of: datetime.date) -> Outcome:
    """``reconcile`` of one entity: its tree of checks, and its halves."""
    books = _open(entity, as_of, run_rules=True)
    if isinstance(books, Outcome):
        return books
    return Outcome(entity, tuple(halves(books.entries)), books.rules.pool,
                   tree=reconcile(books.entries, books.rules, as_of))


def figures_entity(entity: Entity, as_of: datetime.date) -> Outcome:
    """``report``'s figures of one entity (the rules not run: figures only)."""
    books = _open(entity, as_of, run_rules=False)
    if isinstance(books, Outcome):
        return books
    return figured(entity, books.entries, books.rules, as_of)


def figured(entity: Entity, entries: list[Any], rules: RuleSet, as_of: datetime.date,
            ) -> Outcome:
    """``figures_entity``'s outcome from entries loaded already (a Fava ledger's)."""
    return Outcome(entity, pool=rules.pool, figures=figures(entries, as_of),
                   cap=citizen_cap(rules), daily=daily_spending(entries))
