"""``time_window``: spending only inside a window; both ends belong to it.

``level: citizen`` anchors the window at the decision (the first ``#budget``)
and runs ``months`` (default: the pool's window), clipped to the project period
unless ``clip: false``.  ``level: project`` is a fixed window, ``start`` and
``end`` (default: the project period).  ``applies_to`` names the tags judged
(default: purchase and commitment; the project level also salary).  Paying a
commitment made inside a citizen's window is allowed after it ends.
"""

from __future__ import annotations

import datetime
from operator import attrgetter
from typing import NamedTuple

from beancount.core import data

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.fields import MAX_MONTHS
from grantpool.rules.index import Index, move_day
from grantpool.rules.pooldef import Period
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("level", "anchor", "months", "clip", "start", "end", "applies_to")
_DAY, _PURCHASE_DAY = attrgetter("date"), attrgetter("txn.date")

DEFAULT_TAGS = {"citizen": ("purchase", "commitment"),
                "project": ("purchase", "commitment", "salary")}


class TimeWindow(NamedTuple):
    id: str
    severity: str
    level: str
    months: int | None
    clip: bool | None
    period: Period | None
    applies_to: frozenset[str]


def parse(common: Common, f: RuleFields) -> TimeWindow | None:
    before = len(f.errors)
    level = f.choice("level", ("citizen", "project"))
    f.choice("anchor", ("decision",), default="decision")
    months = f.integer("months", required=False, low=1, high=MAX_MONTHS)
    clip = f.boolean("clip", True) if "clip" in f.node else None
    start = f.date("start", required=False, bounded=True)
    end = f.date("end", required=False, bounded=True)
    if start and end and end < start:
        f.fail("end", f"the window ends ({end}) before it starts ({start})")
    tags = f.words("applies_to")
    if len(f.errors) > before or level is None or tags is None:
        return None
    period = None
    if level == "project":
        project = f.pool.project_period
        period = Period(start or project.start, end or project.end)
    applies = frozenset(tags or DEFAULT_TAGS[level])
    return TimeWindow(common.id, common.severity, level, months, clip, period, applies)


def _outside(rule: TimeWindow, txn: data.Transaction, who: str, window: Period) -> Problem:
    when = "before" if txn.date < window.start else "after"
    days = (window.start - txn.date).days if when == "before" else (txn.date - window.end).days
    return finding(rule, txn, f"{who}: dated {txn.date}, {days} day(s) {when} the window "
                              f"{window.start} .. {window.end} (inclusive); date it inside "
                              f"or reverse it")


def _inside(span: tuple[datetime.date, datetime.date] | None, start: datetime.date,
            end: datetime.date) -> bool:
    """Whether the earliest and the latest day (None: there are none) are inside."""
    return span is None or (span[0] >= start and span[1] <= end)


def check(rule: TimeWindow, index: Index, ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    if rule.level == "project" and rule.period is not None:
        period = rule.period
        if _inside(index.span(index.spending, _DAY), period.start, period.end):
            return out
        for txn in index.spending:
            if txn.tags & rule.applies_to and txn.date not in period:
                out.append(_outside(rule, txn, "spending", period))
        return out
    applies = rule.applies_to
    for citizen in index.citizens.values():
        window = ctx.budget_window(citizen, rule.months, rule.clip)
        if window is None:
            continue
        start, end = window.start, window.end
        if _inside(index.span(citizen.used, move_day), start, end) and _inside(
                index.span(citizen.purchases, _PURCHASE_DAY), start, end):
            continue
        outside = {id(t): t for t, _ in citizen.used
                   if not start <= t.date <= end and not applies.isdisjoint(t.tags)}
        outside.update((id(p.txn), p.txn) for p in citizen.purchases
                       if not start <= p.txn.date <= end and not p.from_committed
                       and not applies.isdisjoint(p.txn.tags))
        out += [_outside(rule, txn, citizen.citizen, window) for txn in outside.values()]
    return out
