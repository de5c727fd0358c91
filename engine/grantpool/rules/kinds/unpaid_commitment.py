"""``unpaid_commitment``: a commitment still unpaid ``within_days`` after it was made.

A commitment (``#commitment``: ``Available`` → ``Committed``, e.g. a rental deposit
agreed before it is paid) is paid by purchases from ``Committed``
(``grantpool purchase --from-commitment``); a negative commitment releases it.
Payments settle the oldest commitments first.  What is still unpaid of a
commitment more than ``within_days`` after its date (as of the day judged) is a
finding at the commitment's line: pay it, or release it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from beancount.core import data

from grantpool.rules.context import Context, money
from grantpool.rules.errors import Problem, finding
from grantpool.rules.fields import MAX_DAYS
from grantpool.rules.index import CitizenBook, Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("within_days",)
ZERO = Decimal(0)


class UnpaidCommitment(NamedTuple):
    id: str
    severity: str
    within_days: int


def parse(common: Common, f: RuleFields) -> UnpaidCommitment | None:
    days = f.integer("within_days", low=1, high=MAX_DAYS)
    if days is None:
        return None
    return UnpaidCommitment(common.id, common.severity, days)


def outstanding(citizen: CitizenBook, as_of: datetime.date,
                ) -> list[tuple[data.Transaction, Decimal]]:
    """Each commitment made by *as_of* with what of it is still unpaid (oldest first)."""
    if not citizen.commitments:
        return []
    made = sorted(((t, a) for t, a in citizen.commitments if t.date <= as_of and a > 0),
                  key=lambda c: c[0].date)
    settled = sum((p.amount for p in citizen.purchases
                   if p.from_committed and p.txn.date <= as_of), ZERO)
    settled += sum((-a for t, a in citizen.commitments if t.date <= as_of and a < 0), ZERO)
    left = []
    for txn, amount in made:
        paid = min(amount, settled)
        settled -= paid
        if amount > paid:
            left.append((txn, amount - paid))
    return left


def check(rule: UnpaidCommitment, index: Index, ctx: Context) -> list[Problem]:
    out = []
    for citizen in index.citizens.values():
        for txn, unpaid in outstanding(citizen, ctx.as_of):
            age = (ctx.as_of - txn.date).days
            if age > rule.within_days:
                out.append(finding(rule, txn, (
                    f"{citizen.citizen}: {money(unpaid, ctx.pool.currency)} committed on "
                    f"{txn.date} still unpaid after {age} days (limit {rule.within_days}); "
                    f"pay it from the commitment or release it")))
    return out
