"""The four transfers between the pool and a municipality, each as two halves.

A transfer is booked once in the pool's books and once in the municipality's;
each half balances alone, and the two share a link ``^<kind>-<municipality>-<date>``
and an amount.  Each half posts the amount to its *pair account*; the pool's pair
account and the municipality's mirror each other, so in the consolidated books
they sum to zero once both halves are in (README.md "Transfers"):

=========  ===============================  =================================
kind       pool's half (pair account)       municipality's half (pair account)
=========  ===============================  =================================
award      Granted:<M>            +amount   AwaitingTranches          -amount
tranche    Equity:Transfers:<M>:Pool +a     Equity:Transfers:<M>:Municipality -a
claim      AwaitingRepayment:<M>  -amount   Repayment                 +amount
repayment  Equity:Transfers:<M>:Pool -a     Equity:Transfers:<M>:Municipality +a
=========  ===============================  =================================
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal

from grantpool.books import chart as acc
from grantpool.generate.model import Txn
from grantpool.generate.names import fold

KINDS = ("award", "tranche", "claim", "repayment")
TAGS = {"award": "grant-award", "tranche": "tranche", "claim": "repayment-claim",
        "repayment": "repayment"}
KIND_OF_TAG = {tag: kind for kind, tag in TAGS.items()}
_LINK = re.compile(r"[A-Za-z0-9\-_/.]+")


def slug(municipality: str) -> str:
    """The municipality in links and folder names: 'Halsnæs' -> 'halsnaes'."""
    return fold(acc.component(municipality)).lower()


def link(kind: str, municipality: str, day: datetime.date) -> str:
    text = f"{kind}-{slug(municipality)}-{day.isoformat()}"
    if not _LINK.fullmatch(text):
        raise ValueError(f"{municipality!r} makes no valid link; name it in letters and digits")
    return text


def pair_account(kind: str, side: str, municipality: str) -> str:
    """The account a *side* ('pool' or 'municipality') half of *kind* posts its amount to."""
    if side == "pool":
        return {"award": acc.pool_granted, "claim": acc.pool_awaiting_repayment}.get(
            kind, acc.transfers_pool)(municipality)
    return {"award": acc.muni_awaiting, "claim": acc.muni_repayment}.get(
        kind, acc.transfers_municipality)(municipality)


def award(muni: str, day: datetime.date, amount: Decimal, lines: Sequence[tuple[str, Decimal]],
          courses: int) -> tuple[Txn, Txn]:
    """The award (tilsagn): the pool sets *amount* aside for *muni*; *muni* opens its
    budget *lines* (drawing rights, salary) against the tranches it awaits."""
    tag, links, meta = TAGS["award"], (link("award", muni, day),), (
        ("municipality", muni), ("courses", str(courses)))
    pool = Txn(day, f"Grant awarded (tilsagn) to {muni}: {courses} support courses", tag,
               ((acc.POOL_UNALLOCATED, -amount), (acc.pool_granted(muni), amount)), meta, links)
    own = Txn(day, f"Grant awarded (tilsagn) by the pool: {courses} support courses", tag,
              ((acc.muni_awaiting(muni), -amount), *lines), meta, links)
    return pool, own


def tranche(muni: str, day: datetime.date, amount: Decimal, label: str) -> tuple[Txn, Txn]:
    """A tranche paid: out of the pool's bank, into the municipality's."""
    tag, links = TAGS["tranche"], (link("tranche", muni, day),)
    pool = Txn(day, f"{label} paid to {muni}", tag,
               ((acc.pool_granted(muni), -amount), (acc.transfers_pool(muni), amount)),
               links=links)
    own = Txn(day, f"{label} received from the pool", tag,
              ((acc.muni_awaiting(muni), amount), (acc.transfers_municipality(muni), -amount)),
              links=links)
    return pool, own


def claim(muni: str, day: datetime.date, lines: Sequence[tuple[str, Decimal]]) -> tuple[Txn, Txn]:
    """A repayment claim: *muni* sets its unspent *lines* aside for the pool; the pool
    books the money as returned, on its way."""
    total = sum((x for _, x in lines), Decimal(0))
    tag, links = TAGS["claim"], (link("claim", muni, day),)
    pool = Txn(day, f"Repayment claimed from {muni}: unspent grant", tag,
               ((acc.pool_awaiting_repayment(muni), -total), (acc.POOL_RETURNED, total)),
               links=links)
    own = Txn(day, "Repayment claim: unspent grant", tag,
              (*((a, -x) for a, x in lines if x), (acc.muni_repayment(muni), total)),
              links=links)
    return pool, own


def repayment(muni: str, day: datetime.date, amount: Decimal) -> tuple[Txn, Txn]:
    """The claimed money paid: out of the municipality's bank, into the pool's."""
    tag, links = TAGS["repayment"], (link("repayment", muni, day),)
    pool = Txn(day, f"Repayment received from {muni}", tag,
               ((acc.pool_awaiting_repayment(muni), amount), (acc.transfers_pool(muni), -amount)),
               links=links)
    own = Txn(day, "Repayment paid to the pool", tag,
              ((acc.muni_repayment(muni), -amount), (acc.transfers_municipality(muni), amount)),
              links=links)
    return pool, own
