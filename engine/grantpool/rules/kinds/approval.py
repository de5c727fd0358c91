"""``approval``: some entries need an approval recorded in their metadata.

``applies_to: purchase``: a purchase above ``above`` needs the metadata key
``meta`` (default ``approval``).  ``applies_to: budget_change``: a change to a
grant's budget lines (``#budget-change``) or a later ``#budget`` for a citizen
who already has one needs it when the change is over ``over_percent`` of the
line or budget, or over ``over_amount``.  A date as the approval's value must
not be after the entry: the approval must come first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from beancount.core import data

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import CitizenBook, Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("applies_to", "above", "over_percent", "over_amount", "meta")
_AMOUNT = attrgetter("amount")


class Approval(NamedTuple):
    id: str
    severity: str
    applies_to: str
    above: Decimal | None
    over_percent: Decimal | None
    over_amount: Decimal | None
    meta: str


def parse(common: Common, f: RuleFields) -> Approval | None:
    before = len(f.errors)
    applies = f.choice("applies_to", ("purchase", "budget_change"))
    above = f.amount("above", required=applies == "purchase")
    percent = f.decimal("over_percent", required=False, low=0, high=100, places=6)
    amount = f.amount("over_amount", required=False)
    if applies == "budget_change" and percent is None and amount is None:
        f.fail(None, "a budget_change approval needs over_percent and/or over_amount")
    meta = f.text("meta", required=False) or "approval"
    if len(f.errors) > before or applies is None:
        return None
    return Approval(common.id, common.severity, applies, above, percent, amount, meta)


def _changes(index: Index) -> Iterator[tuple[data.Transaction, Decimal, Decimal, str]]:
    """(entry, change, base, who) for every budget change."""
    for grant in index.grants.values():
        base = sum((a for _, a in grant.awards), Decimal(0))
        for txn in grant.changes:
            moved = sum((p.units.number for p in txn.postings
                         if p.units is not None and p.units.number and p.units.number > 0),
                        Decimal(0))
            yield txn, moved, base, grant.municipality
    for citizen in index.citizens.values():
        if len(citizen.budgets) > 1:
            base = citizen.budgets[0][1]
            for txn, amount in citizen.budgets[1:]:
                yield txn, abs(amount), base, citizen.citizen


def _missing(rule: Approval, txn: data.Transaction) -> str | None:
    value = (txn.meta or {}).get(rule.meta)
    if value is None:
        return f"needs '{rule.meta}' metadata (the approval's reference or date)"
    if isinstance(value, datetime.date) and value > txn.date:
        return f"was approved on {value}, after the entry: approval must come first"
    return None


def _all_small(citizen: CitizenBook, above: Decimal) -> bool:
    """Whether each purchase is a single posting under the threshold."""
    return not citizen.purchases or (not citizen.wide
                                     and max(map(_AMOUNT, citizen.purchases)) <= above)


def check(rule: Approval, index: Index, ctx: Context) -> list[Problem]:
    out = []
    cur = ctx.pool.currency
    if rule.applies_to == "purchase":
        above = rule.above or Decimal(0)
        totals: dict[int, tuple[data.Transaction, Decimal, str]] = {}
        for citizen in index.citizens.values():
            if _all_small(citizen, above):
                continue
            for p in citizen.purchases:
                if p.amount <= above and len(p.txn.postings) <= 2:
                    continue  # a single posting under the threshold: nothing to add up
                _, total, _ = totals.get(id(p.txn), (p.txn, Decimal(0), ""))
                totals[id(p.txn)] = (p.txn, total + p.amount, citizen.citizen)
        for txn, total, who in totals.values():
            problem = _missing(rule, txn) if total > (rule.above or 0) else None
            if problem:
                out.append(finding(rule, txn, f"{who}: purchase of {total} {cur} over "
                                              f"{rule.above} {cur} {problem}"))
        return out
    for txn, change, base, who in _changes(index):
        share = change / base * 100 if base else Decimal(100)
        big = (rule.over_percent is not None and share > rule.over_percent) or (
            rule.over_amount is not None and change > rule.over_amount)
        problem = _missing(rule, txn) if big else None
        if problem:
            out.append(finding(rule, txn, f"{who}: budget change of {change} {cur} "
                                          f"({share:.1f} %) {problem}"))
    return out
