"""What the generated books take from the rules, so that they pass them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from grantpool.books.periods import ONE_DAY
from grantpool.rules.kinds.approval import Approval
from grantpool.rules.kinds.deadline import Deadline, anchor_date, due_date
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.spec import RuleSet


@dataclass(frozen=True)
class Policy:
    accounts_submitted: datetime.date  # ten days before the accounts are due
    approval_above: Decimal | None  # purchases above this carry an approval reference
    approval_meta: str


def policy(ruleset: RuleSet, pool: PoolDef) -> Policy:
    """Dates and thresholds for *pool* (possibly stretched) from the rules of *ruleset*."""
    rules = [rule for _, rule in ruleset.rules]
    accounts = next((r for r in rules if isinstance(r, Deadline)
                     and r.met_by == ("event", "accounts_submitted")), None)
    submitted = pool.project_period.end + ONE_DAY
    if accounts is not None:
        start = anchor_date(accounts, pool, None)
        if start is not None:
            submitted = max(submitted, due_date(accounts, start) - 10 * ONE_DAY)
    approvals = [r for r in rules if isinstance(r, Approval) and r.applies_to == "purchase"]
    lowest = min(approvals, key=lambda r: r.above or 0, default=None)
    return Policy(submitted, lowest.above if lowest else None,
                  lowest.meta if lowest else "approval")
