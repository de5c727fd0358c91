"""Warnings that only time brings: a budget whose window is about to end with
much unspent, and a budget nobody has used for a long time.  (Deadlines coming
and returns overdue are the rules' own ``deadline`` and ``return_unspent``.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount.core import data

from grantpool.audit.findings import Finding
from grantpool.rules.context import Context
from grantpool.rules.index import CitizenBook, build_index
from grantpool.rules.spec import RuleSet
from grantpool.scheduled.config import Thresholds


def time_warnings(entries: list[data.Directive], rules: RuleSet, as_of: datetime.date,
                  limits: Thresholds) -> list[tuple[Finding, str]]:
    """(finding, municipality) for every active budget ending soon unspent, or dormant."""
    index = build_index([e for e in entries if e.date <= as_of])
    ctx = Context(rules.pool, as_of)
    out = []
    for citizen in index.citizens.values():
        span = ctx.budget_window(citizen)
        stopped = any(e.type in ("moved_out", "excluded") for e in citizen.events)
        if span is None or stopped or not span.start <= as_of <= span.end:
            continue
        out += [(f, citizen.municipality) for f in (
            _ending(citizen, span.end, as_of, limits), _dormant(citizen, as_of, limits)) if f]
    return out


def _finding(rule: str, citizen: CitizenBook, entry: data.Directive, message: str) -> Finding:
    meta = entry.meta or {}
    return Finding(rule, "warning", f"{citizen.citizen}: {message}",
                   str(meta.get("filename", "")), int(meta.get("lineno", 0)), entry.date,
                   citizen.opened.account if citizen.opened else None)


def _ending(citizen: CitizenBook, end: datetime.date, as_of: datetime.date,
            limits: Thresholds) -> Finding | None:
    left = (end - as_of).days
    granted = citizen.granted
    if not granted or left > limits.window_ends_within_days:
        return None
    share = citizen.available / granted
    if share <= limits.unspent_share_over:
        return None
    return _finding("window-ending", citizen, citizen.budgets[0][0],
                    f"the window ends {end} (in {left} days) with {share * 100:.0f} % "
                    f"({citizen.available}) unspent")


def _dormant(citizen: CitizenBook, as_of: datetime.date, limits: Thresholds) -> Finding | None:
    uses = [t for t, amount in citizen.used if amount > Decimal(0)]
    last = max(uses, key=lambda t: t.date) if uses else citizen.budgets[0][0]
    idle = (as_of - last.date).days
    if idle < limits.dormant_days:
        return None
    return _finding("dormant", citizen, last, f"no purchase for {idle} days (since {last.date})")
