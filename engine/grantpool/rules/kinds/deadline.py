"""``deadline``: something each grant must do by a date.

``met_by`` is ``{event: <type>}`` (an ``event`` directive whose description is
the municipality) or ``{tag: <tag>}`` (the grant's first transaction with that
tag).  The period runs ``months`` (and/or ``days``) from the ``anchor``:
``project_start``, ``after_project`` (the day after the project period) or
``award`` (the grant's award date); its last day is the due date, inclusive.
As of the check day: met late, or not met and overdue, is a finding; not met
and due within ``warn_days`` is a warning.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from beancount.core import data

from grantpool.books.periods import ONE_DAY, window
from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.fields import MAX_DAYS, MAX_MONTHS
from grantpool.rules.index import GrantBook, Index
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("met_by", "anchor", "months", "days", "warn_days")
ANCHORS = ("project_start", "after_project", "award")


class Deadline(NamedTuple):
    id: str
    severity: str
    met_by: tuple[str, str]
    anchor: str
    months: int
    days: int
    warn_days: int


def parse(common: Common, f: RuleFields) -> Deadline | None:
    before = len(f.errors)
    met = f.sub("met_by")
    met_by = None
    if met is not None:
        keys = [k for k in ("event", "tag") if k in met.node]
        if len(keys) != 1:
            f.fail("met_by", "met_by must be {event: <type>} or {tag: <tag>}")
        else:
            value = met.text(keys[0])
            met_by = (keys[0], value) if value else None
    anchor = f.choice("anchor", ANCHORS)
    months = f.integer("months", required=False, low=0, high=MAX_MONTHS) or 0
    days = f.integer("days", required=False, low=0, high=MAX_DAYS) or 0
    if months <= 0 and days <= 0 and len(f.errors) == before:
        f.fail(None, "give the period as months and/or days, e.g. months: 3")
    warn_days = f.integer("warn_days", required=False, low=0, high=MAX_DAYS) or 0
    if len(f.errors) > before or met_by is None or anchor is None:
        return None
    return Deadline(common.id, common.severity, met_by, anchor, months, days, warn_days)


def anchor_date(
    rule: Deadline, pool: PoolDef, award: datetime.date | None
) -> datetime.date | None:
    """The day the deadline's period starts: the project's start, the day after it, the award."""
    if rule.anchor == "project_start":
        return pool.project_period.start
    if rule.anchor == "after_project":
        return pool.project_period.end + ONE_DAY
    return award


def due_date(rule: Deadline, start: datetime.date) -> datetime.date:
    end = window(start, rule.months).end if rule.months else start - ONE_DAY
    return end + datetime.timedelta(days=rule.days)


def _met(rule: Deadline, grant: GrantBook) -> data.Directive | None:
    kind, value = rule.met_by
    if kind == "event":
        return next((e for e in grant.events if e.type == value), None)
    tagged = (txn for line in grant.lines.values() for txn, _, tags in line if value in tags)
    return min(tagged, key=lambda t: t.date, default=None)


def check(rule: Deadline, index: Index, ctx: Context) -> list[Problem]:
    out = []
    what = f"{rule.met_by[0]} '{rule.met_by[1]}'"
    for grant in index.grants.values():
        if not grant.awards:
            continue
        start = anchor_date(rule, ctx.pool, grant.awards[0][0].date)
        if start is None:
            continue
        due, award = due_date(rule, start), grant.awards[0][0]
        met = _met(rule, grant)
        who = grant.municipality
        if met is not None and met.date > due:
            late = (met.date - due).days
            out.append(finding(rule, met, f"{who}: {what} on {met.date}, {late} day(s) after "
                                          f"the due date {due}"))
        elif met is None and ctx.as_of > due:
            out.append(finding(rule, award, f"{who}: {what} was due {due} and is "
                                            f"{(ctx.as_of - due).days} day(s) overdue"))
        elif met is None and (due - ctx.as_of).days <= rule.warn_days:
            out.append(finding(rule, award, f"{who}: {what} is due {due}, in "
                                            f"{(due - ctx.as_of).days} day(s)", "warning"))
    return out
