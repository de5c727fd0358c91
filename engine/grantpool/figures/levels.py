"""The books read level by level: pool, each municipality's grant, each citizen.

Pure functions over loaded entries.  Every figure is summed from postings,
classified by the account's role (``grantpool.books.roles``) and the transaction's tag,
so that the conservation identities below compare independent sums:

* citizen:  granted = paid + committed + remaining + returned
* grant:    awarded = citizens' budgets (net of returns) + salary paid + salary left
                      + unallocated + returned to the state (claimed) + kept under
                      the de-minimis
* pool:     appropriation = grants awarded + kept share + unallocated

A grant's figures come from the municipality's halves of the transfers
(``AwaitingTranches``), the pool's from its own halves (``Granted:<M>``): in an
entity's own books each level sums what that entity holds, and in the
consolidated books both are there without counting anything twice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books.roles import Role, roles
from grantpool.figures.records import CitizenFigures, GrantFigures, PoolFigures

__all__ = ["CitizenFigures", "GrantFigures", "PoolFigures", "figures"]

ZERO = Decimal(0)


def figures(entries: list[data.Directive], as_of: datetime.date) -> PoolFigures:
    """The figures of every level from the directives dated on or before *as_of*."""
    role_map = roles(entries)
    pool = PoolFigures()
    for entry in entries:
        if entry.date > as_of:
            break
        if isinstance(entry, data.Transaction):
            _transaction(pool, entry, role_map)
        elif isinstance(entry, data.Event):
            _event(pool, entry)
    return pool


def _grant(pool: PoolFigures, muni: str | None) -> GrantFigures:
    name = muni or "?"
    if name not in pool.grants:
        pool.grants[name] = GrantFigures(name)
    return pool.grants[name]


def _citizen(pool: PoolFigures, role: Role, account: str) -> CitizenFigures:
    grant = _grant(pool, role.municipality)
    pid = role.citizen or "?"
    if pid not in grant.citizens:
        grant.citizens[pid] = CitizenFigures(pid, grant.municipality)
    figures = grant.citizens[pid]
    if role.role == "citizen_available":
        figures.account = account
    return figures


CITIZEN_TAGS = frozenset({"budget", "return", "commitment", "purchase"})
LINE_TAGS = frozenset({"grant-award", "budget", "return", "salary", "repayment-claim",
                       "de-minimis", "budget-change"})


def _transaction(pool: PoolFigures, txn: data.Transaction, role_map: dict[str, Role]) -> None:
    tags = txn.tags or frozenset()
    payer: CitizenFigures | None = None
    purchases: list[tuple[Role, Decimal]] = []
    _explain(pool, txn, role_map, tags)
    for posting in txn.postings:
        role = role_map.get(posting.account)
        if role is None or posting.units is None or posting.units.number is None:
            continue
        amount: Decimal = posting.units.number
        if role.role in ("citizen_available", "citizen_committed"):
            citizen = _citizen(pool, role, posting.account)
            _citizen_posting(citizen, role.role, amount, tags, txn.date)
            if amount < 0 and "purchase" in tags:
                payer = citizen
        elif role.role == "purchase":
            purchases.append((role, amount))
        else:
            _other_posting(pool, role, amount, tags, txn)
    for role, amount in purchases:
        if payer is not None:
            payer.paid += amount
            payer.by_category[role.category or "?"] += amount
            if role.municipality != payer.municipality and txn not in payer.misbooked:
                payer.misbooked.append(txn)


def _explain(pool: PoolFigures, txn: data.Transaction, role_map: dict[str, Role],
             tags: Any) -> None:
    """File a transaction that moves a budget or a budget line without a known tag."""
    for posting in txn.postings:
        role = role_map.get(posting.account)
        if role is None:
            continue
        if role.role in ("citizen_available", "citizen_committed") and not tags & CITIZEN_TAGS:
            figures = _citizen(pool, role, posting.account)
            if txn not in figures.unexplained:
                figures.unexplained.append(txn)
        elif role.role in ("drawing_rights", "salary_line") and not tags & LINE_TAGS:
            grant = _grant(pool, role.municipality)
            if txn not in grant.unexplained:
                grant.unexplained.append(txn)


def _citizen_posting(
    c: CitizenFigures, role: str, amount: Decimal, tags: Any, day: datetime.date
) -> None:
    if role == "citizen_committed":
        c.committed += amount
        return
    c.remaining += amount
    if "budget" in tags:
        c.granted += amount
        c.decision = c.decision or day
    elif "return" in tags:
        c.returned -= amount


def _other_posting(
    pool: PoolFigures, role: Role, amount: Decimal, tags: Any, txn: data.Transaction
) -> None:
    kind = role.role
    if kind == "appropriation":
        pool.appropriation -= amount
    elif kind == "pool_administration" and "appropriation" in tags:
        pool.kept_share += amount
    elif kind == "pool_unallocated":
        pool.unallocated += amount
    elif kind == "pool_admin_expenses":
        pool.admin_spent += amount
    elif kind == "pool_returned":
        pool.returned += amount
    elif kind == "pool_awaiting_repayment":
        pool.awaiting_repayment += amount
    elif kind == "pool_granted":
        _pool_half(pool, role.municipality or "?", amount, tags)
    elif role.municipality is not None and not kind.startswith("transfers_"):
        _grant_posting(_grant(pool, role.municipality), kind, amount, tags, txn)


def _pool_half(pool: PoolFigures, municipality: str, amount: Decimal, tags: Any) -> None:
    """The pool's half of an award or a tranche, on its ``Granted:<M>`` account."""
    if "grant-award" in tags:
        pool.awarded_to[municipality] += amount
    elif "tranche" in tags:
        pool.paid_to[municipality] -= amount


def _grant_posting(grant: GrantFigures, kind: str, amount: Decimal, tags: Any,
                   txn: data.Transaction) -> None:
    if kind in ("drawing_rights", "salary_line"):
        _line_posting(grant, kind, amount, tags)
    elif kind == "awaiting":
        grant.awaiting += amount
        if "grant-award" in tags:
            grant.awarded -= amount
        elif "tranche" in tags:
            grant.received += amount
            grant.tranches.append(txn)
    elif kind == "salary_expense":
        grant.salary_paid += amount
    elif kind == "repayment":
        if "repayment-claim" in tags:
            grant.claimed += amount
        elif "repayment" in tags:
            grant.repaid -= amount
    elif kind == "retained":
        grant.retained += amount


def _line_posting(grant: GrantFigures, kind: str, amount: Decimal, tags: Any) -> None:
    """A budget line's balance (unallocated drawing rights, salary left) and, from an
    award or a budget change, the line itself."""
    line = bool(tags & {"grant-award", "budget-change"})
    if kind == "drawing_rights":
        grant.unallocated += amount
        grant.drawing_rights_line += amount if line else 0
    else:
        grant.salary_left += amount
        grant.salary_line += amount if line else 0


def _event(pool: PoolFigures, event: data.Event) -> None:
    if event.type == "accounts_submitted" and event.description in pool.grants:
        pool.grants[event.description].closed_on = event.date
        return
    if event.type == "carry_over_approved" and event.description in pool.grants:
        pool.grants[event.description].carry_over = True
        return
    for grant in pool.grants.values():
        citizen = grant.citizens.get(event.description)
        if citizen is not None:
            citizen.events.append((event.date, event.type))
