"""What the generator writes: plain records, rendered to Beancount text by ``writer``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Open:
    date: datetime.date
    account: str
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Close:
    date: datetime.date
    account: str


@dataclass(frozen=True)
class Event:
    """A Beancount ``event``: ``type`` is what happened, ``description`` to whom."""

    date: datetime.date
    type: str
    description: str


@dataclass(frozen=True)
class Txn:
    date: datetime.date
    narration: str
    tag: str
    postings: tuple[tuple[str, Decimal], ...]
    meta: tuple[tuple[str, str], ...] = ()
    links: tuple[str, ...] = ()  # a transfer's two halves share one (README "Transfers")

    def __post_init__(self) -> None:
        total = sum((amount for _, amount in self.postings), Decimal(0))
        if total != 0:
            raise ValueError(f"unbalanced transaction {self.narration} on {self.date}: {total}")


@dataclass(frozen=True)
class Balance:
    date: datetime.date
    account: str
    amount: Decimal


Directive = Open | Close | Event | Txn | Balance


@dataclass
class BookFile:
    """One ledger file: a title comment and its directives."""

    name: str
    title: str
    directives: list[Directive] = field(default_factory=list)

    def add(self, *items: Directive) -> None:
        self.directives.extend(items)


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT)
