"""``cap``: money used at a level must stay within an amount.

Levels: ``pool`` (grants awarded, default the application pool), ``tranches``
(the pool's books: tranches paid to a municipality within its award), ``grant``
(a municipality's drawing on its grant, within what was awarded; ``amount``
also caps the award), ``grant_line`` (each budget line within its own amount),
``citizen`` (commitments and purchases within the budget and the cap, default
the pool's drawing right), ``category`` (a citizen's spending in one category),
``purchase`` (one purchase).  ``warn_at`` (0-1) warns once a share is used,
while the budget or project is still running.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import CitizenBook, Index
from grantpool.rules.spec import Common, RuleFields
from grantpool.rules.yamlbounds import excerpt

FIELDS = ("level", "amount", "category", "warn_at")
LEVELS = ("pool", "tranches", "grant", "grant_line", "citizen", "category", "purchase")
NEEDS_AMOUNT = ("category", "purchase")
ZERO = Decimal(0)
_AMOUNT = itemgetter(1)


class Cap(NamedTuple):
    id: str
    severity: str
    level: str
    amount: Decimal | None
    category: str | None
    warn_at: Decimal | None


def parse(common: Common, f: RuleFields) -> Cap | None:
    before = len(f.errors)
    level = f.choice("level", LEVELS)
    amount = f.amount("amount", required=level in NEEDS_AMOUNT)
    category = f.text("category", required=level == "category")
    if category is not None and f.pool.category(category) is None:
        f.fail("category", f"category {excerpt(category)} is not in the file's categories")
    warn_at = f.decimal("warn_at", required=False, places=6)
    if warn_at is not None and not Decimal(0) < warn_at <= 1:
        f.fail("warn_at", "warn_at must be a share between 0 and 1, e.g. 0.8")
    if len(f.errors) > before or level is None:
        return None
    return Cap(common.id, common.severity, level, amount, category, warn_at)


def check(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    checks = {
        "pool": _pool, "tranches": _tranches, "grant": _grant, "grant_line": _lines,
        "citizen": _citizens,
        "category": _categories, "purchase": _purchases,
    }
    return checks[rule.level](rule, index, ctx)


def _over(rule: Cap, entry: object, who: str, used: Decimal, limit: Decimal, ctx: Context,
          what: str) -> Problem:
    cur = ctx.pool.currency
    return finding(rule, entry, f"{who}: {used} {cur} {what}, over the cap of {limit} {cur} "
                                f"by {used - limit} {cur}; reverse or reduce this entry")


def _warn(rule: Cap, entry: object, who: str, used: Decimal, limit: Decimal) -> Problem:
    share = (used / limit * 100).quantize(Decimal(1)) if limit else Decimal(100)
    return finding(rule, entry, f"{who}: {share} % of {limit} used (warning from "
                                f"{rule.warn_at * 100:.0f} %)", "warning")  # type: ignore[operator]


def _pool(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    limit = rule.amount if rule.amount is not None else ctx.pool.application_pool
    total, out = Decimal(0), []
    for txn, muni, amount in index.pool_awards:
        total += amount
        if amount > 0 and total > limit:
            out.append(_over(rule, txn, f"grant to {muni}", total, limit, ctx,
                             "awarded from the pool in all"))
    return out


def _tranches(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    """The pool's books: what it pays a municipality in tranches stays within the award."""
    out = []
    for grant in index.grants.values():
        awarded = paid = Decimal(0)
        for txn, amount, tags in grant.pool_side:
            if "grant-award" in tags:
                awarded += amount
            elif amount < 0:
                paid -= amount
                if paid > awarded:
                    out.append(_over(rule, txn, f"tranches to {grant.municipality}", paid,
                                     awarded, ctx, "paid"))
    return out


def _grant(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    out = []
    for grant in index.grants.values():
        awarded = sum((a for _, a in grant.awards), Decimal(0))
        if rule.amount is not None:
            out += [_over(rule, txn, grant.municipality, awarded, rule.amount, ctx, "awarded")
                    for txn, _ in grant.awards[-1:] if awarded > rule.amount]
        postings = sorted((p for line in grant.lines.values() for p in line),
                          key=lambda p: p[0].date)
        balance = Decimal(0)
        for txn, amount, tags in postings:
            balance += amount
            if amount < 0 and balance < 0 and "grant-award" not in tags:
                out.append(_over(rule, txn, f"grant of {grant.municipality}", awarded - balance,
                                 awarded, ctx, "drawn"))
    return out


def _lines(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    out = []
    for grant in index.grants.values():
        for line, postings in sorted(grant.lines.items()):
            balance, funded = Decimal(0), Decimal(0)
            for txn, amount, tags in postings:
                balance += amount
                if amount > 0 and tags & {"grant-award", "budget-change"}:
                    funded += amount
                if amount < 0 and balance < 0:
                    who = f"{grant.municipality} {line.replace('_', ' ')}"
                    out.append(_over(rule, txn, who, funded - balance, funded, ctx, "drawn"))
    return out


def _citizens(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    cap = rule.amount if rule.amount is not None else ctx.pool.drawing_right
    out = []
    for citizen in index.citizens.values():
        out += _citizen(rule, citizen, cap, ctx)
        out += _overdrawn(rule, index, citizen, ctx)
    return out


def _never_below_zero(index: Index, citizen: CitizenBook) -> bool:
    """Whether the budget's balance never goes below zero, told without sorting the
    moves: one budget, not negative, before every other move, every other move takes
    money away, and what is left at the end is not negative."""
    if len(citizen.budgets) != 1 or citizen.budgets[0][1] < ZERO:
        return False
    total, least = citizen.used_totals()
    if min(map(_AMOUNT, citizen.returns)) < ZERO or (least is not None and least < ZERO):
        return False
    budget = citizen.budgets[0][0]
    day = index.first_day(citizen.returns)
    if citizen.used:
        day = min(day, index.first_day(citizen.used))
    if day < budget.date or (day == budget.date and any(
            t.date == day and t.meta.get("lineno", 0) < budget.meta.get("lineno", 0)
            for t, _ in citizen.used + citizen.returns)):
        return False
    return citizen.budgets[0][1] - sum(map(_AMOUNT, citizen.returns), total) >= ZERO


def _used_up(citizen: CitizenBook) -> Decimal:
    """What the citizen used, refunds left out: an upper bound of the running total."""
    total, least = citizen.used_totals()
    if least is None or least >= ZERO:
        return total
    return sum(filter(ZERO.__lt__, map(_AMOUNT, citizen.used)), ZERO)


def _overdrawn(rule: Cap, index: Index, citizen: CitizenBook, ctx: Context,
               ) -> list[Problem]:
    """A return that takes a budget below zero (what is spent or committed beyond the
    budget is found by the cap itself, at the entry that crosses it)."""
    if not citizen.returns or _never_below_zero(index, citizen):
        return []
    moves = [(t, a) for t, a in citizen.budgets]
    moves += [(t, -a) for t, a in citizen.used] + [(t, -a) for t, a in citizen.returns]
    moves.sort(key=lambda m: (m[0].date, m[0].meta.get("lineno", 0)))
    balance, out = Decimal(0), []
    for txn, amount in moves:
        balance += amount
        if amount < 0 and balance < 0 and "return" in (txn.tags or ()):
            out.append(finding(rule, txn, f"{citizen.citizen}: this return overdraws the "
                                          f"budget by {-balance} {ctx.pool.currency} (spent, "
                                          f"committed and returned exceed what was granted)"))
    return out


def _citizen(rule: Cap, citizen: CitizenBook, cap: Decimal, ctx: Context) -> list[Problem]:
    out = []
    granted = citizen.granted
    if granted > cap:
        txn = citizen.budgets[-1][0]
        out.append(_over(rule, txn, citizen.citizen, granted, cap, ctx, "granted as budget"))
    limit = min(cap, granted)
    window = ctx.budget_window(citizen)
    running = window is not None and ctx.as_of <= window.end
    if not (rule.warn_at and running) and _used_up(citizen) <= limit:
        return out  # no warning to give, and even what was used, not refunded, fits
    used, warned = Decimal(0), False
    for txn, amount in citizen.used:
        before, used = used, used + amount
        if amount > 0 and used > limit:
            what = "committed and spent" + (f" of a {granted} budget" if granted < cap else "")
            out.append(_over(rule, txn, citizen.citizen, used, limit, ctx, what))
        elif rule.warn_at and running and not warned and used >= limit * rule.warn_at > before:
            out.append(_warn(rule, txn, citizen.citizen, used, limit))
            warned = True
    return out


def _categories(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    limit, out = rule.amount or Decimal(0), []
    for citizen in index.citizens.values():
        total = Decimal(0)
        for purchase in citizen.purchases:
            if purchase.category == rule.category:
                total += purchase.amount
                if purchase.amount > 0 and total > limit:
                    out.append(_over(rule, purchase.txn, citizen.citizen, total, limit, ctx,
                                     f"spent on {rule.category}"))
    return out


def _purchases(rule: Cap, index: Index, ctx: Context) -> list[Problem]:
    limit, out = rule.amount or Decimal(0), []
    by_txn: dict[int, Decimal] = defaultdict(Decimal)
    for citizen in index.citizens.values():
        for purchase in citizen.purchases:
            by_txn[id(purchase.txn)] += purchase.amount
            if by_txn[id(purchase.txn)] > limit:
                out.append(_over(rule, purchase.txn, citizen.citizen, by_txn[id(purchase.txn)],
                                 limit, ctx, "in one purchase"))
    return out
