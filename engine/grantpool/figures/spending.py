"""Spending by municipality and day: what the pages' spending chart sums."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from grantpool.books.roles import roles

ZERO = Decimal(0)
Daily = dict[str, dict[datetime.date, Decimal]]


def daily_spending(entries: list[data.Directive]) -> Daily:
    """Purchases and salary paid, by municipality and day: what the spending chart sums
    (from one set of books, or each municipality's own in a roll-up)."""
    role_map = roles(entries)
    days: defaultdict[str, defaultdict[datetime.date, Decimal]] = defaultdict(
        lambda: defaultdict(Decimal))
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.tags & {"purchase", "salary"}:
            for posting in entry.postings:
                role = role_map.get(posting.account)
                if role and role.role in ("purchase", "salary_expense") and (
                        role.municipality is not None) and posting.units is not None:
                    days[role.municipality][entry.date] += posting.units.number or ZERO
    return {name: dict(by_day) for name, by_day in days.items()}
