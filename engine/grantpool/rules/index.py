"""One pass over the books that files every posting where the rules look for it.

Citizen money is measured as *used*: every posting on a citizen's
``Available`` account that is neither the budget (``#budget``) nor a return
(``#return``) — so a commitment counts when it is made, a purchase paid from
``Available`` counts when it is paid, and paying a commitment counts nothing
more.  Caps therefore count commitments as well as payments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books.roles import Role, role_of

ZERO = Decimal(0)


@dataclass(slots=True)
class Purchase:
    txn: data.Transaction
    amount: Decimal
    category: str | None
    from_committed: bool


@dataclass
class CitizenBook:
    citizen: str
    municipality: str
    opened: data.Open | None = None
    budgets: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)
    used: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    commitments: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)
    returns: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)
    events: list[data.Event] = field(default_factory=list)
    available: Decimal = ZERO

    @property
    def decision(self) -> datetime.date | None:
        return self.budgets[0][0].date if self.budgets else None

    @property
    def granted(self) -> Decimal:
        return sum((amount for _, amount in self.budgets), ZERO)


@dataclass
class GrantBook:
    municipality: str
    awards: list[tuple[data.Transaction, Decimal]] = field(default_factory=list)  # its half
    # The pool's half: its Granted:<M> account (the award, less the tranches paid).
    pool_side: list[tuple[data.Transaction, Decimal, frozenset[str]]] = field(
        default_factory=list)
    lines: dict[str, list[tuple[data.Transaction, Decimal, frozenset[str]]]] = field(
        default_factory=dict)
    events: list[data.Event] = field(default_factory=list)
    changes: list[data.Transaction] = field(default_factory=list)


@dataclass
class Index:
    citizens: dict[str, CitizenBook] = field(default_factory=dict)
    grants: dict[str, GrantBook] = field(default_factory=dict)
    pool_awards: list[tuple[data.Transaction, str, Decimal]] = field(default_factory=list)
    spending: list[data.Transaction] = field(default_factory=list)
    transfers: list[data.Transaction] = field(default_factory=list)  # a transfer's tag
    roles: dict[str, Role] = field(default_factory=dict)  # every opened account's
    opens: dict[str, data.Open] = field(default_factory=dict)
    entries: list[data.Directive] = field(default_factory=list)

    def grant(self, municipality: str) -> GrantBook:
        if municipality not in self.grants:
            self.grants[municipality] = GrantBook(municipality)
        return self.grants[municipality]

    def citizen(self, role: Role) -> CitizenBook:
        pid = role.citizen or "?"
        if pid not in self.citizens:
            self.citizens[pid] = CitizenBook(pid, role.municipality or "?")
        return self.citizens[pid]


LINE_ROLES = ("drawing_rights", "salary_line")
SPENDING_TAGS = frozenset({"purchase", "commitment", "salary"})
TRANSFER_TAGS = frozenset({"grant-award", "tranche", "repayment-claim", "repayment"})
_NO_TAGS: frozenset[str] = frozenset()

# What a posting to an account does, resolved once per account (not per posting).
Target = tuple[str, Any]


def _target(index: Index, role: Role) -> Target | None:
    kind = role.role
    if kind == "citizen_available":
        return ("available", index.citizen(role))
    if kind == "citizen_committed":
        return ("committed", index.citizen(role))
    if kind == "purchase":
        return ("purchase", role.category)
    if kind in LINE_ROLES and role.municipality:
        return ("line", index.grant(role.municipality).lines.setdefault(kind, []))
    grant_sides = {"pool_granted": "granted", "awaiting": "awaiting"}  # the award's halves
    if kind in grant_sides and role.municipality:
        return (grant_sides[kind], index.grant(role.municipality))
    return None


def _open(index: Index, entry: data.Open, role_map: dict[str, Role],
          targets: dict[str, Target]) -> None:
    """File an account as it is opened: every later posting to it finds its target."""
    role = role_of(entry.account, entry.meta or {})
    if role is None:
        return
    role_map[entry.account] = role
    index.opens[entry.account] = entry
    target = _target(index, role)
    if target is not None:
        targets[entry.account] = target
    if role.role == "citizen_available":
        index.citizen(role).opened = entry


def build_index(entries: list[data.Directive]) -> Index:
    """One pass: accounts are filed as they open (books open an account before use)."""
    index = Index(entries=entries)
    role_map = index.roles
    targets: dict[str, Target] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            _transaction(index, entry, targets, role_map)
        elif isinstance(entry, data.Open):
            _open(index, entry, role_map, targets)
        elif isinstance(entry, data.Event):
            _event(index, entry)
    for grant in index.grants.values():  # lines opened but never used stay out
        grant.lines = {k: v for k, v in grant.lines.items() if v}
    return index


def _event(index: Index, event: data.Event) -> None:
    if event.description in index.citizens:
        index.citizens[event.description].events.append(event)
    else:
        index.grant(event.description).events.append(event)


def _transaction(
    index: Index, txn: data.Transaction, targets: dict[str, Target], role_map: dict[str, Role]
) -> None:
    tags = txn.tags or _NO_TAGS
    if tags:
        _file_by_tags(index, txn, tags, role_map)
    paying = "purchase" in tags
    payer: tuple[CitizenBook, bool] | None = None
    bought: list[tuple[Decimal, str | None]] = []
    for posting in txn.postings:
        target = targets.get(posting.account)
        if target is None or posting.units is None or posting.units.number is None:
            continue
        kind, obj = target
        amount = posting.units.number
        if kind == "purchase":
            bought.append((amount, obj))
        elif kind in ("available", "committed"):
            if kind == "available":
                _available(obj, txn, amount, tags)
            if paying and amount < 0:
                payer = (obj, kind == "committed")
        else:
            _grant_posting(index, txn, kind, obj, amount, tags)
    if payer is not None:
        citizen, from_committed = payer
        citizen.purchases.extend(Purchase(txn, a, c, from_committed) for a, c in bought)


def _grant_posting(
    index: Index, txn: data.Transaction, kind: str, obj: Any, amount: Decimal,
    tags: frozenset[str],
) -> None:
    if kind == "line":
        obj.append((txn, amount, tags))
    elif kind == "granted":
        obj.pool_side.append((txn, amount, tags))
        if "grant-award" in tags:
            index.pool_awards.append((txn, obj.municipality, amount))
    elif kind == "awaiting" and "grant-award" in tags:
        obj.awards.append((txn, -amount))


def _available(citizen: CitizenBook, txn: data.Transaction, amount: Decimal, tags: Any) -> None:
    citizen.available += amount
    if "budget" in tags:
        citizen.budgets.append((txn, amount))
    elif "return" in tags:
        citizen.returns.append((txn, -amount))
    else:
        citizen.used.append((txn, -amount))
        if "commitment" in tags:
            citizen.commitments.append((txn, -amount))


def _file_by_tags(index: Index, txn: data.Transaction, tags: frozenset[str],
                  role_map: dict[str, Role]) -> None:
    """File a transaction the rules look for by its tag: spending, a transfer's half,
    a budget change."""
    if not tags.isdisjoint(SPENDING_TAGS):
        index.spending.append(txn)
    if not tags.isdisjoint(TRANSFER_TAGS):
        index.transfers.append(txn)
    if "budget-change" in tags:
        index.grant(_municipality(txn, role_map)).changes.append(txn)


def _municipality(txn: data.Transaction, role_map: dict[str, Role]) -> str:
    for posting in txn.postings:
        role = role_map.get(posting.account)
        if role is not None and role.municipality:
            return role.municipality
    return "?"
