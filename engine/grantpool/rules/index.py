"""One pass over the books that files every posting where the rules look for it.

The pass is the rules' main cost (a Python loop over every posting), so it is one
loop with no call per transaction: each account is resolved once (what a posting
to it does, and which bank it belongs to), each set of tags once, and the bank
movements and vouchers the ``stale_balance`` and ``voucher`` rules need are filed
on the way, so no rule walks the books again.  What is filed, and the meaning of
*used*, are in ``grantpool.rules.filed``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books.roles import Role, role_of
from grantpool.rules.filed import (
    ZERO,
    BankMoves,
    CitizenBook,
    GrantBook,
    Index,
    Purchase,
    move_day,
)
from grantpool.vouchers.store import PATH_KEY

__all__ = ["BankMoves", "CitizenBook", "GrantBook", "Index", "Purchase", "build_index",
           "move_day"]

LINE_ROLES = ("drawing_rights", "salary_line")
SPENDING_TAGS = frozenset({"purchase", "commitment", "salary"})
TRANSFER_TAGS = frozenset({"grant-award", "tranche", "repayment-claim", "repayment"})
_NO_TAGS: frozenset[str] = frozenset()
# What a transaction's tags mean to the pass, as bits (worked out once per set of tags).
SPENDING, TRANSFER, CHANGE, PAYING, BUDGET, RETURN, COMMITMENT = (1 << n for n in range(7))

# What a posting to an account does, resolved once per account (not per posting):
# (what, the book it goes to, the bank it belongs to); what is None when it is no
# account the rules follow.
Target = tuple[str | None, Any, str | None]
_TYPES = (data.Transaction, data.Open, data.Event, data.Balance)
_DIRECTIVES = frozenset(data.ALL_DIRECTIVES)
_purchase = tuple.__new__  # a Purchase made at C speed, as Purchase._make does


def _flags(tags: frozenset[str]) -> int:
    bits = (SPENDING if not tags.isdisjoint(SPENDING_TAGS) else 0) | (
        TRANSFER if not tags.isdisjoint(TRANSFER_TAGS) else 0)
    for tag, bit in (("budget-change", CHANGE), ("purchase", PAYING), ("budget", BUDGET),
                     ("return", RETURN), ("commitment", COMMITMENT)):
        bits |= bit if tag in tags else 0
    return bits


def _bank(account: str, banks: BankMoves) -> str | None:
    """The account named ``…:Bank`` that *account* is, or lies under (the rule keeps
    only the opened ones); two of them make the bank depend on what is opened."""
    found, at = None, account.find(":Bank")
    while at >= 0:
        end = at + 5
        if end == len(account) or account[end] == ":":  # a whole component
            if found is not None:
                banks.nested = True
            found = account[:end]  # the longest
        at = account.find(":Bank", end)
    return found


def _target(index: Index, role: Role) -> tuple[str, Any] | None:
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


def _open(index: Index, entry: data.Open, accounts: dict[str, Target]) -> None:
    """File an account as it is opened: every later posting to it finds its target."""
    role = role_of(entry.account, entry.meta or {})
    if role is None:
        return
    index.roles[entry.account] = role
    index.opens[entry.account] = entry
    target = _target(index, role)
    if target is not None:
        accounts[entry.account] = (*target, _bank(entry.account, index.banks))
    if role.role == "citizen_available":
        index.citizen(role).opened = entry


def _event(index: Index, event: data.Event) -> None:
    index.events.append(event)
    if event.description in index.citizens:
        index.citizens[event.description].events.append(event)
    else:
        index.grant(event.description).events.append(event)


def build_index(entries: list[data.Directive]) -> Index:
    """One pass: accounts are filed as they open (books open an account before use)."""
    index = Index(entries=entries)
    accounts: dict[str, Target] = {}
    memo: dict[frozenset[str], int] = {}
    last = datetime.date.min
    for entry in entries:
        kind: type | None = type(entry)
        if kind not in _DIRECTIVES:  # a subclass of one
            kind = next((t for t in _TYPES if isinstance(entry, t)), None)
        if kind is data.Transaction:
            if entry.date >= last:
                last = entry.date
            else:
                index.dated = False
            _transaction(index, entry, accounts, memo)  # type: ignore[arg-type]
        elif kind is data.Open:
            _open(index, entry, accounts)  # type: ignore[arg-type]
        elif kind is data.Event:
            _event(index, entry)  # type: ignore[arg-type]
        elif kind is data.Balance:
            index.banks.asserted.setdefault(entry.account, []).append(entry.date)  # type: ignore
    index.last_day = last
    for grant in index.grants.values():  # lines opened but never used stay out
        grant.lines = {k: v for k, v in grant.lines.items() if v}
    return index


def _transaction(  # noqa: C901, PLR0912, PLR0915 (the hot loop, one branch per kind of posting)
    index: Index, txn: data.Transaction, accounts: dict[str, Target],
    memo: dict[frozenset[str], int],
) -> None:
    tags = txn.tags or _NO_TAGS
    bits = 0
    if tags:
        bits = memo.get(tags, -1)
        if bits < 0:
            bits = memo[tags] = _flags(tags)
        if bits & SPENDING:
            index.spending.append(txn)
        if bits & (TRANSFER | CHANGE):
            _file_by_tags(index, txn, bits)
    meta = txn.meta
    if meta and meta.get(PATH_KEY) is not None:
        index.vouchered.append(txn)
    payer: CitizenBook | None = None
    bought: Any = None  # a purchase posting's (amount, category); a list of them for more
    bank, net, from_committed = None, ZERO, False
    more: dict[str, Decimal] | None = None  # a second bank's net change, and more
    book: Any  # a CitizenBook, a budget line, a GrantBook: what the account's posting fills
    for posting in txn.postings:
        target = accounts.get(posting.account)
        if target is None:
            target = accounts[posting.account] = (None, None,
                                                  _bank(posting.account, index.banks))
        what, book, its_bank = target
        units = posting.units
        if units is None:
            continue
        number = units.number
        if its_bank is not None:  # a bank's net change (envelope moves net to zero)
            if bank is None:
                bank, net = its_bank, number or ZERO
            elif its_bank == bank:
                net += number or ZERO
            else:
                more = more or {}
                more[its_bank] = more.get(its_bank, ZERO) + (number or ZERO)
        if what is None or number is None:
            continue
        if what == "available":
            book.available += number
            if bits & BUDGET:
                book.budgets.append((txn, number))
            elif bits & RETURN:
                book.returns.append((txn, -number))
            else:
                book.used.append((txn, -number))
                if bits & COMMITMENT:
                    book.commitments.append((txn, -number))
            if bits & PAYING and number < ZERO:
                payer, from_committed = book, False
        elif what == "committed":
            if bits & PAYING and number < ZERO:
                payer, from_committed = book, True
        elif what == "purchase":
            bought = (number, book) if bought is None else [
                *(bought if isinstance(bought, list) else [bought]), (number, book)]
        else:
            _grant_posting(index, txn, what, book, number, tags)
    if payer is not None and bought is not None:
        for amount, category in bought if isinstance(bought, list) else (bought,):
            payer.purchases.append(_purchase(Purchase, (txn, amount, category, from_committed)))
        if len(txn.postings) > 2:
            payer.wide = True
    if net:  # the first movement of the day is filed
        days = index.banks.first.get(bank)  # type: ignore[arg-type]
        if days is None:
            days = index.banks.first[bank] = {}  # type: ignore[index]
        if txn.date not in days:
            days[txn.date] = txn
    if more:
        for name, change in more.items():
            if change:
                _moved(index.banks.first, name, txn)


def _file_by_tags(index: Index, txn: data.Transaction, bits: int) -> None:
    """File a transfer's half, or a budget change."""
    if bits & TRANSFER:
        index.transfers.append(txn)
    if bits & CHANGE:
        index.grant(_municipality(txn, index.roles)).changes.append(txn)


def _moved(moved: dict[str, dict[Any, Any]], bank: str, txn: data.Transaction) -> None:
    """The first transaction of its day to change *bank*'s balance is filed."""
    days = moved.get(bank)
    if days is None:
        days = moved[bank] = {}
    if txn.date not in days:
        days[txn.date] = txn


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


def _municipality(txn: data.Transaction, role_map: dict[str, Role]) -> str:
    for posting in txn.postings:
        role = role_map.get(posting.account)
        if role is not None and role.municipality:
            return role.municipality
    return "?"
