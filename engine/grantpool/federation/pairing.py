"""Pair the two halves of every transfer between the pool and a municipality.

Pure functions: ``halves`` reads the halves out of one entity's loaded books (small,
picklable records, so each entity can be read on its own); ``pair`` matches them by
link and reports what does not pair: a half without its partner, two halves with
different amounts or municipalities, or halves further apart in time than the
rules' ``transfers: {max_days_apart}`` allow.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books.roles import roles
from grantpool.federation.transfers import KIND_OF_TAG
from grantpool.rules.errors import RuleError

# The role of each side's pair account, by kind (grantpool.federation.transfers).
PAIR_ROLES = {
    "award": {"pool": "pool_granted", "municipality": "awaiting"},
    "tranche": {"pool": "transfers_pool", "municipality": "transfers_municipality"},
    "claim": {"pool": "pool_awaiting_repayment", "municipality": "repayment"},
    "repayment": {"pool": "transfers_pool", "municipality": "transfers_municipality"},
}
SIDES = ("pool", "municipality")


@dataclass(frozen=True)
class Half:
    kind: str
    side: str  # "pool" or "municipality"
    municipality: str
    link: str  # "" when the transaction carries none
    amount: Decimal  # the magnitude posted to the side's pair account
    date: datetime.date
    narration: str
    filename: str
    lineno: int

    @property
    def meta(self) -> dict[str, Any]:
        """Where the half is, as a directive's meta says it (for reports)."""
        return {"filename": self.filename, "lineno": self.lineno}

    @property
    def where(self) -> str:
        return f"{self.filename}:{self.lineno}"

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "narration": self.narration,
                "filename": self.filename, "lineno": self.lineno}


@dataclass(frozen=True)
class Unpaired:
    """A transfer whose halves do not pair; ``halves`` are the ones found."""

    link: str
    problem: str  # "missing", "amount", "municipality", "late", "duplicate", "unlinked"
    message: str
    halves: tuple[Half, ...]
    expected: Decimal
    found: Decimal


def halves(entries: Sequence[data.Directive], role_map: dict[str, Any] | None = None,
           ) -> list[Half]:
    """Every transfer half in one set of books, in the order of the books (*role_map*:
    the accounts' roles, if already known)."""
    role_map = roles(list(entries)) if role_map is None else role_map
    found = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for tag in entry.tags or ():
            kind = KIND_OF_TAG.get(tag)
            if kind is not None:
                found += _halves_of(entry, kind, role_map)
    return found


def in_one_ledger(transfers: list[data.Transaction], role_map: dict[str, Any],
                  days: int) -> list[RuleError]:
    """The unpaired transfers of books that hold both sides (the consolidated books), as
    errors at the half found, so bean-check and Fava show them as ``check`` does.  Books
    of one entity (one side only) give none: their halves' partners are elsewhere.
    *transfers*: the books' transactions with a transfer's tag; *role_map*: the roles
    of their accounts (both from the rules' index, so no pass of its own)."""
    sides = {role.role for role in role_map.values()}
    if not {"transfers_pool", "transfers_municipality"} <= sides:
        return []
    out = []
    for item in pair(halves(transfers, role_map), days, {}):
        first = item.halves[0]
        out.append(RuleError({"filename": first.filename, "lineno": first.lineno},
                             f"error [transfer-pair] {item.message}", None, "transfer-pair",
                             "error"))
    return out


def _halves_of(txn: data.Transaction, kind: str, role_map: dict[str, Any]) -> list[Half]:
    """The halves *txn* books; none when it books both (a transfer kept in one
    transaction, as books kept in one ledger do: it pairs itself)."""
    out = []
    for side in SIDES:
        wanted = PAIR_ROLES[kind][side]
        for posting in txn.postings:
            role = role_map.get(posting.account)
            if role is None or role.role != wanted or posting.units is None:
                continue
            links = sorted(link for link in (txn.links or ()) if link.startswith(kind + "-"))
            meta = txn.meta or {}
            out.append(Half(kind, side, role.municipality or "?", links[0] if links else "",
                            abs(posting.units.number or Decimal(0)), txn.date,
                            txn.narration or "",
                            str(meta.get("filename", "<unknown>")), int(meta.get("lineno", 0))))
    return [] if len({h.side for h in out}) > 1 else out


def pair(found: list[Half], max_days: int, books_of: dict[str, str]) -> list[Unpaired]:
    """What does not pair.  *books_of* names, for ``"pool"`` and each municipality, the
    books a missing half belongs in (for the message)."""
    by_link: dict[str, list[Half]] = defaultdict(list)
    out = []
    for half in found:
        if not half.link:
            out.append(Unpaired("", "unlinked", f"{half.kind} half at {half.where} carries no "
                                f"^{half.kind}-… link to pair it with its other half; add the "
                                f"link both halves share", (half,), half.amount, Decimal(0)))
        else:
            by_link[half.link].append(half)
    for link, group in sorted(by_link.items()):
        out += _pair_one(link, group, max_days, books_of)
    return out


def _pair_one(link: str, group: list[Half], max_days: int,
              books_of: dict[str, str]) -> list[Unpaired]:
    sides = {side: [h for h in group if h.side == side] for side in SIDES}
    for side, items in sides.items():
        if len(items) > 1:
            where = ", ".join(h.where for h in items)
            return [Unpaired(link, "duplicate", f"^{link}: the {side}'s half is booked "
                             f"{len(items)} times ({where}); remove all but one",
                             tuple(group), items[0].amount, sum((h.amount for h in items),
                                                                Decimal(0)))]
    if not sides["pool"] or not sides["municipality"]:
        present = group[0]
        missing = "municipality" if present.side == "pool" else "pool"
        books = books_of.get(present.municipality if missing == "municipality" else "pool",
                             f"the {missing}'s books")
        return [Unpaired(link, "missing", f"^{link}: {present.kind} of {present.amount} booked "
                         f"by the {present.side} at {present.where} has no other half in "
                         f"{books}; book it there with the same link and amount",
                         (present,), present.amount, Decimal(0))]
    return _compare(link, sides["pool"][0], sides["municipality"][0], max_days)


def _compare(link: str, pool: Half, own: Half, max_days: int) -> list[Unpaired]:
    both = f"pool {pool.where}, municipality {own.where}"
    out = []
    if pool.municipality != own.municipality:
        out.append(Unpaired(link, "municipality", f"^{link}: the halves name different "
                            f"municipalities ({pool.municipality}, {own.municipality}): {both}",
                            (pool, own), pool.amount, own.amount))
    if pool.amount != own.amount:
        out.append(Unpaired(link, "amount", f"^{link}: the pool's half is {pool.amount}, the "
                            f"municipality's {own.amount} (difference "
                            f"{pool.amount - own.amount}): {both}; correct the wrong half",
                            (pool, own), pool.amount, own.amount))
    apart = abs((pool.date - own.date).days)
    if apart > max_days:
        out.append(Unpaired(link, "late", f"^{link}: the halves are {apart} days apart "
                            f"({pool.date}, {own.date}), more than the rules' "
                            f"{max_days}: {both}", (pool, own), Decimal(max_days),
                            Decimal(apart)))
    return out
