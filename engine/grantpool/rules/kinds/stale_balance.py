"""``stale_balance``: every bank account with activity is reconciled in time.

A bank account (the pool's or a municipality's, where statements are asserted)
whose balance changed on a day must have a ``balance`` assertion dated within
``within_days`` after it, once that many days have passed by the as-of day.
With monthly statements asserted on the 1st, 35 days leaves room for the
longest month.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass

from beancount.core import data

from grantpool.books.banks import bank_changes
from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.fields import MAX_DAYS
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("within_days",)
BANK_ROLES = ("pool_bank", "muni_bank")


@dataclass(frozen=True)
class StaleBalance:
    id: str
    severity: str
    within_days: int


def parse(common: Common, f: RuleFields) -> StaleBalance | None:
    days = f.integer("within_days", low=1, high=MAX_DAYS)
    return None if days is None else StaleBalance(common.id, common.severity, days)


Movements = dict[str, list[data.Transaction]]


def _scan(index: Index, banks: set[str]) -> tuple[Movements, dict[str, list[datetime.date]]]:
    """The transactions that change each bank's balance, and its assertion dates."""
    moved: Movements = {b: [] for b in banks}
    asserted: dict[str, list[datetime.date]] = {b: [] for b in banks}
    memo: dict[str, str | None] = {}
    for entry in index.entries:
        if isinstance(entry, data.Balance) and entry.account in banks:
            asserted[entry.account].append(entry.date)
        elif isinstance(entry, data.Transaction):
            # envelopes moved inside a bank change nothing at the bank
            for bank in bank_changes(entry, banks, memo):
                moved[bank].append(entry)
    return moved, asserted


def check(rule: StaleBalance, index: Index, ctx: Context) -> list[Problem]:
    banks = {a for a in index.opens if a.endswith(":Bank")}
    moved, asserted = _scan(index, banks)
    out = []
    window = datetime.timedelta(days=rule.within_days)
    for bank in sorted(banks):
        dates = sorted(asserted[bank])
        for txn in moved[bank]:
            due = txn.date + window
            after = bisect.bisect_right(dates, txn.date)  # the first assertion after the move
            if ctx.as_of > due and not (after < len(dates) and dates[after] <= due):
                out.append(finding(rule, txn, f"{bank}: moved on {txn.date}, no balance "
                                              f"assertion by {due}; assert the bank "
                                              f"statement's balance"))
                break  # one finding per account: the first unreconciled movement
    return out
