"""``return_unspent``: money left when a budget or a grant ends goes back in time.

``level: citizen``: when a budget ends (its window ends, or an event in
``events`` such as moved_out or excluded stops it), what is left on its
``Available`` account must be returned (``#return``) within ``within_days``.
``level: grant``: after the ``accounts_submitted`` event, the grant's unspent
money (both budget lines) must be claimed (``#repayment-claim``) within
``within_days``, unless it is under ``de_minimis`` (default: the pool's) or a
``carry_over_approved`` event of the grant keeps it (the domain: unspent funds are
repaid when carry-over is not approved).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.fields import MAX_DAYS
from grantpool.rules.index import CitizenBook, GrantBook, Index, move_day
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("level", "within_days", "events", "de_minimis")
CARRY_OVER = "carry_over_approved"
_AMOUNT = itemgetter(1)


class ReturnUnspent(NamedTuple):
    id: str
    severity: str
    level: str
    within_days: int
    events: tuple[str, ...]
    de_minimis: Decimal | None


def parse(common: Common, f: RuleFields) -> ReturnUnspent | None:
    before = len(f.errors)
    level = f.choice("level", ("citizen", "grant"))
    days = f.integer("within_days", low=0, high=MAX_DAYS)
    events = f.words("events")
    de_minimis = f.amount("de_minimis", required=False)
    if len(f.errors) > before or level is None or days is None or events is None:
        return None
    return ReturnUnspent(common.id, common.severity, level, days,
                         events or ("moved_out", "excluded"), de_minimis)


def check(rule: ReturnUnspent, index: Index, ctx: Context) -> list[Problem]:
    if rule.level == "grant":
        return [e for g in index.grants.values() for e in _grant(rule, g, ctx)]
    within = datetime.timedelta(days=rule.within_days)
    return [e for c in index.citizens.values() for e in _citizen(rule, index, c, ctx, within)]


def _ended(rule: ReturnUnspent, citizen: CitizenBook, ctx: Context) -> tuple[datetime.date, str]:
    stops = [(e.date, e.type.replace("_", " ")) for e in citizen.events
             if e.type in rule.events] if citizen.events else []
    window = ctx.budget_window(citizen)
    ends = [*stops, (window.end, "window ended")] if window else stops
    return min(ends)


def _citizen(rule: ReturnUnspent, index: Index, citizen: CitizenBook, ctx: Context,
             within: datetime.timedelta) -> list[Problem]:
    if not citizen.budgets:
        return []
    ended, why = _ended(rule, citizen, ctx)
    due = ended + within
    out = []
    returned = late = Decimal(0)  # by the due date, and after it
    for txn, amount in citizen.returns:
        if txn.date > due:
            out.append(finding(rule, txn, f"{citizen.citizen}: {amount} returned on {txn.date}, "
                                          f"after the due date {due} ({why} {ended})"))
            late += amount
        else:
            returned += amount
    if ctx.as_of > due:
        left = citizen.granted - _used_by(index, citizen, due)
        left -= returned
        if left > late:  # a late return is reported above, at its own line
            entry = citizen.budgets[0][0]
            out.append(finding(rule, entry, f"{citizen.citizen}: {left - late} {ctx.pool.currency} "
                                            f"unspent not returned by {due} ({why} {ended}); "
                                            f"book a #return"))
    return out


def _used_by(index: Index, citizen: CitizenBook, due: datetime.date) -> Decimal:
    """What the citizen used on or before *due* (all of it, in one sum, when nothing
    came later)."""
    used = citizen.used
    span = index.span(used, move_day)
    if span is not None and span[1] <= due:
        return citizen.used_totals()[0]
    return sum((a for t, a in used if t.date <= due), Decimal(0))


def _grant(rule: ReturnUnspent, grant: GrantBook, ctx: Context) -> list[Problem]:
    submitted = next((e for e in grant.events if e.type == "accounts_submitted"), None)
    if submitted is None or any(e.type == CARRY_OVER for e in grant.events):
        return []  # an approved carry-over keeps the unspent money with the grant
    due = submitted.date + datetime.timedelta(days=rule.within_days)
    if ctx.as_of <= due:
        return []
    threshold = rule.de_minimis if rule.de_minimis is not None else ctx.pool.de_minimis
    left = sum((a for line in grant.lines.values() for t, a, _ in line if t.date <= due),
               Decimal(0))
    if left < threshold:
        return []
    return [finding(rule, submitted, f"{grant.municipality}: {left} {ctx.pool.currency} unspent "
                                     f"not claimed back by {due}; book a #repayment-claim "
                                     f"(amounts under {threshold} are not claimed)")]
