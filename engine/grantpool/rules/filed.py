"""What the index files: each citizen's and each grant's postings, and what the
rules look for across the books (spending, transfers, bank movements, vouchers).

Citizen money is measured as *used*: every posting on a citizen's
``Available`` account that is neither the budget (``#budget``) nor a return
(``#return``) — so a commitment counts when it is made, a purchase paid from
``Available`` counts when it is paid, and paying a commitment counts nothing
more.  Caps therefore count commitments as well as payments.

Plain classes with ``__slots__``, not dataclasses: every check imports and fills
them, and a dataclass is compiled when its module is imported.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from beancount.core import data

from grantpool.books.roles import Role

ZERO = Decimal(0)
_AMOUNT = itemgetter(1)
Move = tuple[data.Transaction, Decimal]
LinePosting = tuple[data.Transaction, Decimal, frozenset[str]]


def move_day(move: Move) -> datetime.date:
    """The day of a (transaction, amount) move."""
    return move[0].date


class Purchase(NamedTuple):
    """A purchase's posting to one category, paid by a citizen (from ``Available``, or
    from ``Committed``: paying a commitment)."""

    txn: data.Transaction
    amount: Decimal
    category: str | None
    from_committed: bool


class CitizenBook:
    """One citizen's budget: its ``#budget`` postings, what was used, bought, committed
    and returned (each in the books' order), and the events naming the citizen."""

    __slots__ = (
        "_totals",
        "available",
        "budgets",
        "citizen",
        "commitments",
        "events",
        "municipality",
        "opened",
        "purchases",
        "returns",
        "used",
        "wide",
    )

    def __init__(self, citizen: str, municipality: str) -> None:
        self.citizen, self.municipality = citizen, municipality
        self.opened: data.Open | None = None
        self.budgets: list[Move] = []
        self.used: list[Move] = []
        self.purchases: list[Purchase] = []
        self.commitments: list[Move] = []
        self.returns: list[Move] = []
        self.events: list[data.Event] = []
        self.available = ZERO
        self.wide = False  # some purchase is a transaction of more than two postings
        self._totals: tuple[Decimal, Decimal | None] | None = None

    def used_totals(self) -> tuple[Decimal, Decimal | None]:
        """What was used in all (summed in the books' order, from zero) and the least
        single use (None: nothing used), worked out once for the rules that ask."""
        if self._totals is None:
            amounts = list(map(_AMOUNT, self.used))
            self._totals = (sum(amounts, ZERO), min(amounts) if amounts else None)
        return self._totals

    @property
    def granted(self) -> Decimal:
        return sum(map(_AMOUNT, self.budgets), ZERO)


class GrantBook:
    """One municipality's grant: its half of the award, the pool's half (its
    ``Granted:<M>`` account: the award, less the tranches paid), its budget lines,
    its events and its budget changes."""

    __slots__ = ("awards", "changes", "events", "lines", "municipality", "pool_side")

    def __init__(self, municipality: str) -> None:
        self.municipality = municipality
        self.awards: list[Move] = []
        self.pool_side: list[LinePosting] = []
        self.lines: dict[str, list[LinePosting]] = {}
        self.events: list[data.Event] = []
        self.changes: list[data.Transaction] = []


class BankMoves:
    """Bank movements as the index's pass found them, for the ``stale_balance`` rule.

    ``first``: for each account that is, or is an envelope of, an account named
    ``…:Bank``, the first transaction of each day (in the books' order) that changed
    that bank's balance; ``asserted``: the dates of each account's ``balance``
    directives.  ``nested``: some account lies under two ``…:Bank`` accounts, so
    which one is its bank depends on the opened accounts: the rule then scans."""

    __slots__ = ("asserted", "first", "nested")

    def __init__(self) -> None:
        self.first: dict[str, dict[datetime.date, data.Transaction]] = {}
        self.asserted: dict[str, list[datetime.date]] = {}
        self.nested = False


class Index:
    """Everything the pass filed.  ``dated``: the transactions came in date order (as the
    loader sorts the books), so each list of them is in date order too and its first and
    last items are its earliest and latest."""

    __slots__ = (
        "banks",
        "citizens",
        "dated",
        "entries",
        "events",
        "grants",
        "last_day",
        "opens",
        "pool_awards",
        "roles",
        "spending",
        "transfers",
        "vouchered",
    )

    def __init__(self, entries: list[data.Directive]) -> None:
        self.citizens: dict[str, CitizenBook] = {}
        self.grants: dict[str, GrantBook] = {}
        self.pool_awards: list[tuple[data.Transaction, str, Decimal]] = []
        self.spending: list[data.Transaction] = []
        self.transfers: list[data.Transaction] = []  # a transfer's tag
        self.roles: dict[str, Role] = {}  # every opened account's
        self.opens: dict[str, data.Open] = {}
        self.entries = entries
        self.events: list[data.Event] = []  # every event, in order
        self.vouchered: list[data.Transaction] = []  # `document` metadata
        self.last_day = datetime.date.min  # the latest transaction's date
        self.dated = True
        self.banks = BankMoves()

    def span(self, items: list[Any], day: Any) -> tuple[datetime.date, datetime.date] | None:
        """The earliest and latest day of *items* (``day`` gives an item's), or None."""
        if not items:
            return None
        if self.dated:
            return day(items[0]), day(items[-1])
        found = list(map(day, items))
        return min(found), max(found)

    def first_day(self, moves: list[Move]) -> datetime.date:
        """The earliest day of (transaction, amount) *moves*, not empty."""
        return moves[0][0].date if self.dated else min(map(move_day, moves))

    def grant(self, municipality: str) -> GrantBook:
        if municipality not in self.grants:
            self.grants[municipality] = GrantBook(municipality)
        return self.grants[municipality]

    def citizen(self, role: Role) -> CitizenBook:
        pid = role.citizen or "?"
        if pid not in self.citizens:
            self.citizens[pid] = CitizenBook(pid, role.municipality or "?")
        return self.citizens[pid]
