"""``grantpool repayment``: a grant's unspent money settled.

Under the pool's de-minimis the municipality keeps it (``#de-minimis``, its books only).
Otherwise it is claimed back (``#repayment-claim``) and, with ``--paid``, repaid
(``#repayment``): on a federation each a transfer of two halves sharing a link
(``grantpool.federation.transfers``), the municipality's in its books and the pool's in
the pool's.  Books kept in one ledger get the claim and the payment as one set of
entries (the pool's ``Returned`` account, in the same books).

Pure functions over the loaded books; the caller judges and writes the drafts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from grantpool.books import chart as acc
from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.federation import transfers
from grantpool.generate.model import Directive, Open, Txn

Lines = list[tuple[str, Decimal]]


def unspent(books: Books, municipality: str, day: datetime.date) -> tuple[Lines, Decimal]:
    """The grant's budget lines with what is left on each on *day*, and their total."""
    books.municipality_file(municipality)  # spelled as the books open it, or EntryError
    lines = (acc.muni_drawing_rights(municipality), acc.muni_salary(municipality))
    left = [(a, books.balance(a, day)) for a in lines]
    total = sum((x for _, x in left), Decimal(0))
    if total <= 0:
        raise EntryError(f"{municipality} has nothing unspent on {day}")
    return left, total


def claimed(books: Books, municipality: str, paid: datetime.date | None) -> Decimal:
    """What a claim already booked still holds for the pool on *paid* (0 without one)."""
    if paid is None or acc.muni_repayment(municipality) not in books.opens:
        return Decimal(0)
    return books.balance(acc.muni_repayment(municipality), paid)


def payment(books: Books, side: str, municipality: str, paid: datetime.date,
            amount: Decimal) -> Draft:
    """One *side*'s half of paying a claim booked before (``repayment --paid`` later)."""
    pool_side = side == "pool"
    half = transfers.repayment(municipality, paid, amount)[0 if pool_side else 1]
    target = pool_file(books, municipality) if pool_side else books.municipality_file(
        municipality)
    whose = ", the pool's half" if pool_side else ""
    return Draft(target, [half], f"repayment {amount} paid ({municipality}){whose}")


def is_kept(books: Books, total: Decimal) -> bool:
    """Whether the unspent *total* stays with the municipality (under the de-minimis)."""
    return total < books.pool.de_minimis


def kept_draft(books: Books, municipality: str, day: datetime.date, left: Lines,
               total: Decimal) -> Draft:
    """The unspent money kept under the de-minimis: the municipality's books only."""
    retained = acc.retained_expense(municipality)
    meta = (("municipality", municipality),)
    out: list[Directive] = [] if retained in books.opens else [Open(day, retained, meta)]
    out.append(Txn(day, f"Unspent {total} under the de-minimis: not claimed", "de-minimis",
                   (*((a, -x) for a, x in left if x), (retained, total))))
    return Draft(books.municipality_file(municipality), out,
                 f"{total} kept under the de-minimis ({municipality})")


def halves(books: Books, side: str, municipality: str, day: datetime.date,
           paid: datetime.date | None, left: Lines, total: Decimal) -> Draft:
    """One *side*'s halves ("pool" or "municipality") of the claim, and of the repayment
    when *paid*, in that side's *books*; its pair account opened there the first time."""
    pool_side = side == "pool"
    account = (acc.pool_awaiting_repayment if pool_side else acc.muni_repayment)(municipality)
    meta = (("municipality", municipality),)
    out: list[Directive] = [] if account in books.opens else [Open(day, account, meta)]
    index = 0 if pool_side else 1  # the builders return (pool's half, municipality's half)
    out.append(transfers.claim(municipality, day, [(a, x) for a, x in left if x])[index])
    if paid is not None:
        out.append(transfers.repayment(municipality, paid, total)[index])
    target = pool_file(books, municipality) if pool_side else books.municipality_file(
        municipality)
    whose = ", the pool's half" if pool_side else ""
    return Draft(target, out, f"repayment claim {total} ({municipality}){whose}")


def pool_file(books: Books, municipality: str) -> Path:
    """The pool's file of its grant to *municipality* (where ``Granted:<M>`` is opened)."""
    opened = books.opens.get(acc.pool_granted(municipality))
    if opened is None:
        raise EntryError(f"the pool's books hold no grant to {municipality} "
                         f"({acc.pool_granted(municipality)} is not opened); allocate first")
    return Path(opened.meta["filename"])


def one_ledger(books: Books, municipality: str, day: datetime.date,
               paid: datetime.date | None, left: Lines, total: Decimal) -> Draft:
    """Books kept in one ledger: the claim, and the payment into the pool's ``Returned``."""
    due = acc.muni_repayment(municipality)
    meta = (("municipality", municipality),)
    out: list[Directive] = [] if due in books.opens else [Open(day, due, meta)]
    out.append(Txn(day, "Repayment claim: unspent grant", "repayment-claim",
                   (*((a, -x) for a, x in left if x), (due, total))))
    if paid is not None:
        out.append(Txn(paid, "Repayment paid to the pool", "repayment",
                       ((due, -total), (acc.POOL_RETURNED, total))))
    return Draft(books.municipality_file(municipality), out,
                 f"repayment claim {total} ({municipality})")


def holds_pool(books: Books) -> bool:
    """Whether the books hold the pool's accounts too (books kept in one ledger)."""
    return any(account.startswith(acc.POOL_BANK) for account in books.opens)


def settle_one(books: Books, municipality: str, day: datetime.date,
               paid: datetime.date | None) -> Draft:
    """The settlement in one set of books: kept, or claimed (and paid) when the books
    hold the pool too.  A municipality's own books cannot take a claim alone: its other
    half belongs in the pool's books, written with it from the federation's."""
    left, total = unspent(books, municipality, day)
    if is_kept(books, total):
        return kept_draft(books, municipality, day, left, total)
    if not holds_pool(books):
        raise EntryError(f"{municipality}'s own books hold only its half of a repayment claim;"
                         f" give the federation's books (their folder or consolidated "
                         f"main.beancount) as --ledger, so the pool's half is written with it")
    return one_ledger(books, municipality, day, paid, left, total)
