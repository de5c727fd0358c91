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
from typing import NamedTuple

from beancount.core import data

from grantpool.books.banks import bank_changes
from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.fields import MAX_DAYS
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("within_days",)
BANK_ROLES = ("pool_bank", "muni_bank")


class StaleBalance(NamedTuple):
    id: str
    severity: str
    within_days: int


def parse(common: Common, f: RuleFields) -> StaleBalance | None:
    days = f.integer("within_days", low=1, high=MAX_DAYS)
    return None if days is None else StaleBalance(common.id, common.severity, days)


Movements = dict[str, list[data.Transaction]]


def _scan(index: Index, banks: set[str]) -> tuple[Movements, dict[str, list[datetime.date]]]:
    """The transactions that change each bank's balance, and its assertion dates (a pass
    of its own, for books where an account lies under two banks)."""
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


def _filed(index: Index, banks: set[str]) -> tuple[Movements, dict[str, list[datetime.date]]]:
    """The same from the index's pass: for each bank, the first movement of each day
    (the first unreconciled movement is the first of its day: it depends on the day)."""
    filed, dates = index.banks.first, index.banks.asserted
    moved = {b: list(filed.get(b, {}).values()) for b in banks}
    return moved, {b: dates.get(b, []) for b in banks}


def _first_late(days: list[datetime.date], dates: list[datetime.date],
                window: datetime.timedelta, due_before: datetime.date) -> datetime.date | None:
    """The earliest of *days* (in date order) dated before *due_before* whose next
    assertion (*dates*, sorted) is more than *window* later, or none: a day from one
    assertion up to the next is late when it is before the next one less the window."""
    since = datetime.date.min
    for upto in (*dates, None):
        until = due_before if upto is None else min(due_before, upto - window if (
            upto > datetime.date.min + window) else datetime.date.min)
        if since < until:
            at = bisect.bisect_left(days, since)
            if at < len(days) and days[at] < until:
                return days[at]
        if upto is not None:
            since = upto
    return None


def _late(index: Index, bank: str, dates: list[datetime.date], window: datetime.timedelta,
          first: datetime.date, last: datetime.date) -> list[data.Transaction] | None:
    """The first unreconciled movement of *bank* found without a loop over its days (the
    books in date order, no day so late that its due date is past the calendar), or
    None when it must be looked for movement by movement."""
    filed = index.banks.first.get(bank, {})
    days = list(filed)
    if index.banks.nested or not index.dated or (days and days[-1] > last):
        return None
    day = _first_late(days, dates, window, first)
    return [] if day is None else [filed[day]]


def check(rule: StaleBalance, index: Index, ctx: Context) -> list[Problem]:
    banks = {a for a in index.opens if a.endswith(":Bank")}
    moved, asserted = (_scan if index.banks.nested else _filed)(index, banks)
    out = []
    window = datetime.timedelta(days=rule.within_days)
    # a movement dated from `first` is not yet due (up to `last`, where dates end)
    first = ctx.as_of - window if ctx.as_of > datetime.date.min + window else datetime.date.min
    last = datetime.date.max - window
    for bank in sorted(banks):
        dates = sorted(asserted[bank])
        late = _late(index, bank, dates, window, first, last)
        for txn in moved[bank] if late is None else late:
            if first <= txn.date <= last:
                continue
            due = txn.date + window
            after = bisect.bisect_right(dates, txn.date)  # the first assertion after the move
            if ctx.as_of > due and not (after < len(dates) and dates[after] <= due):
                out.append(finding(rule, txn, f"{bank}: moved on {txn.date}, no balance "
                                              f"assertion by {due}; assert the bank "
                                              f"statement's balance"))
                break  # one finding per account: the first unreconciled movement
    return out
