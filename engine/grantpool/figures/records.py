"""The figures of each level: plain records summed by ``grantpool.figures.levels``."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

ZERO = Decimal(0)


def _zero_dict() -> defaultdict[str, Decimal]:
    return defaultdict(Decimal)


@dataclass
class CitizenFigures:
    citizen: str
    municipality: str
    account: str = ""
    decision: datetime.date | None = None
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    committed: Decimal = ZERO
    remaining: Decimal = ZERO
    returned: Decimal = ZERO
    by_category: defaultdict[str, Decimal] = field(default_factory=_zero_dict)
    events: list[tuple[datetime.date, str]] = field(default_factory=list)
    unexplained: list[data.Transaction] = field(default_factory=list)  # no known tag
    misbooked: list[data.Transaction] = field(default_factory=list)  # other municipality's

    @property
    def difference(self) -> Decimal:
        return self.granted - (self.paid + self.committed + self.remaining + self.returned)


@dataclass
class GrantFigures:
    """A municipality's grant as its own books hold it (its halves of the transfers)."""

    municipality: str
    awarded: Decimal = ZERO
    received: Decimal = ZERO
    awaiting: Decimal = ZERO
    drawing_rights_line: Decimal = ZERO
    salary_line: Decimal = ZERO  # the line as awarded (and changed)
    salary_paid: Decimal = ZERO
    salary_left: Decimal = ZERO  # the balance of the salary line: not yet paid, claimed or kept
    unallocated: Decimal = ZERO
    claimed: Decimal = ZERO
    repaid: Decimal = ZERO
    retained: Decimal = ZERO
    closed_on: datetime.date | None = None  # the accounts_submitted event
    carry_over: bool = False  # a carry_over_approved event
    tranches: list[data.Transaction] = field(default_factory=list)
    unexplained: list[data.Transaction] = field(default_factory=list)  # no known tag
    citizens: dict[str, CitizenFigures] = field(default_factory=dict)

    @property
    def citizens_net(self) -> Decimal:
        return sum((c.granted - c.returned for c in self.citizens.values()), ZERO)

    @property
    def returned(self) -> Decimal:
        """Claimed back by the state (``#repayment-claim``); never what is kept."""
        return self.claimed

    @property
    def kept(self) -> Decimal:
        """Unspent, kept under the de-minimis (``#de-minimis``): not claimed."""
        return self.retained

    @property
    def salary_used(self) -> Decimal:
        """The salary line as the books hold it now: paid, plus what is left on it."""
        return self.salary_paid + self.salary_left

    @property
    def difference(self) -> Decimal:
        """awarded - (citizens' budgets (net) + salary paid + salary left + unallocated
        + returned + kept): zero whichever line the unspent money was claimed or kept from."""
        parts = (self.citizens_net + self.salary_used + self.unallocated + self.returned
                 + self.kept)
        return self.awarded - parts


@dataclass
class PoolFigures:
    appropriation: Decimal = ZERO
    kept_share: Decimal = ZERO
    unallocated: Decimal = ZERO
    admin_spent: Decimal = ZERO
    returned: Decimal = ZERO
    awaiting_repayment: Decimal = ZERO  # claimed back, not yet paid (negative)
    grants: dict[str, GrantFigures] = field(default_factory=dict)
    # The pool's halves of its transfers, by municipality: awarded, and paid in tranches.
    awarded_to: defaultdict[str, Decimal] = field(default_factory=_zero_dict)
    paid_to: defaultdict[str, Decimal] = field(default_factory=_zero_dict)

    @property
    def granted(self) -> Decimal:
        """Awarded, as the pool's books say (its halves of the awards)."""
        return sum(self.awarded_to.values(), ZERO)

    @property
    def kept(self) -> Decimal:
        """Unspent money the municipalities kept under the de-minimis."""
        return sum((g.retained for g in self.grants.values()), ZERO)

    @property
    def paid_out(self) -> Decimal:
        """Paid in tranches, as the pool's books say."""
        return sum(self.paid_to.values(), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.appropriation - (self.granted + self.kept_share + self.unallocated)
