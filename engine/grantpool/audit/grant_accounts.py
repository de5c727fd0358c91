"""The grant accounts (tilskudsregnskab) of one municipality for a year or the
whole project period, in the shape the ministry's grant handbook asks for:
the grant received as its own income line, expenses by the approved budget
lines, the unspent money, a carry-over, the repayment due (nothing under the
de-minimis), and the audit the grant's size requires.

Category totals that cover fewer citizens than the rules' ``min_group`` are
suppressed (folded into one line), since the accounts leave the municipality;
when only one would be, the next smallest is folded in too, so that the hidden
one cannot be worked out from the total.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from grantpool.figures.levels import GrantFigures, figures
from grantpool.figures.report import Row, rows_of
from grantpool.rules.pooldef import Period, PoolDef

ZERO = Decimal(0)
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Line:
    section: str  # income, expenses, result, audit
    label: str
    amount: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class GrantAccounts:
    municipality: str
    period: Period
    final: bool  # the period ends with the project: the repayment is settled here
    lines: tuple[Line, ...]
    citizens: tuple[Row, ...]

    def amount(self, label: str) -> Decimal:
        return next(line.amount or ZERO for line in self.lines if line.label == label)


class NoSuchGrant(ValueError):
    """The books hold no grant to that municipality."""


def period_of(pool: PoolDef, year: int | None) -> Period:
    """A calendar year within the project period, or the whole project period."""
    project = pool.project_period
    if year is None:
        return project
    start = max(project.start, datetime.date(year, 1, 1))
    end = min(project.end, datetime.date(year, 12, 31))
    if end < start:
        raise ValueError(f"{year} is outside the project period {project.start} .. "
                         f"{project.end}")
    return Period(start, end)


def grant_accounts(entries: list[data.Directive], pool: PoolDef, municipality: str,
                   period: Period, cap: Decimal | None = None) -> GrantAccounts:
    end = figures(entries, period.end).grants.get(municipality)
    if end is None:
        raise NoSuchGrant(f"no grant to '{municipality}' in the books")
    before = figures(entries, period.start - ONE_DAY).grants.get(municipality)
    final = period.end >= pool.project_period.end
    lines = _lines(pool, end, before, final)
    rows = rows_of(figures(entries, period.end), pool, period.end, "citizen", cap)
    citizens = tuple(r for r in rows if r.municipality == municipality)
    return GrantAccounts(municipality, period, final, tuple(lines), citizens)


def _lines(pool: PoolDef, end: GrantFigures, before: GrantFigures | None,
           final: bool) -> list[Line]:
    def flow(name: str) -> Decimal:
        value: Decimal = getattr(end, name) - (getattr(before, name) if before else ZERO)
        return value

    received = flow("received")
    categories = _category_lines(pool, end, before)
    purchases = sum((line.amount or ZERO for line in categories), ZERO)
    salary = flow("salary_paid")
    expenses = purchases + salary
    unspent = received - expenses
    lines = [Line("income", "Grant received (tilskud modtaget)", received),
             *categories,
             Line("expenses", "Budget line: drawing rights (purchases), total", purchases),
             Line("expenses", "Budget line: staff salary (loenkroner)", salary),
             Line("expenses", "Expenses, total", expenses),
             Line("result", "Unspent (uforbrugte midler)", unspent)]
    return lines + _settlement(pool, end, unspent, final)


def _category_lines(pool: PoolDef, end: GrantFigures,
                    before: GrantFigures | None) -> list[Line]:
    totals: dict[str, Decimal] = {}
    people: dict[str, int] = {}
    for pid, citizen in end.citizens.items():
        earlier = before.citizens.get(pid) if before else None
        for category, amount in citizen.by_category.items():
            spent = amount - (earlier.by_category.get(category, ZERO) if earlier else ZERO)
            if spent:
                totals[category] = totals.get(category, ZERO) + spent
                people[category] = people.get(category, 0) + 1
    hidden = [c for c in totals if people[c] < pool.min_group]
    if len(hidden) == 1 and len(totals) > 1:
        # One hidden line could be worked out from the total: hide the next smallest too.
        visible = sorted((c for c in totals if c not in hidden), key=lambda c: people[c])
        hidden.append(visible[0])
    shown = [Line("expenses", f"Drawing rights: {c}", totals[c], f"{people[c]} citizens")
             for c in sorted(totals) if c not in hidden]
    if hidden:
        amount = sum((totals[c] for c in hidden), ZERO)
        shown.append(Line("expenses", "Drawing rights: other categories (suppressed)", amount,
                          f"{len(hidden)} categories, suppressed: bought by fewer than "
                          f"{pool.min_group} citizens"))
    return shown


def _settlement(pool: PoolDef, end: GrantFigures, unspent: Decimal, final: bool) -> list[Line]:
    audit = Line("audit", "Audit required", None, pool.audit_for(end.awarded))
    if not final:
        return [Line("result", "Carried to the next year", unspent, "not the final period"),
                Line("result", "Repayment due (tilbagebetaling)", ZERO, "settled in the "
                     "final accounts"), audit]
    carried = end.carry_over
    due = ZERO if carried or unspent < pool.de_minimis else unspent
    note = ("carry-over approved" if carried else
            f"under the {pool.de_minimis} de-minimis (bagatelgraense): not claimed"
            if 0 < unspent < pool.de_minimis else "")
    return [Line("result", "Carry-over approved", unspent if carried else ZERO),
            Line("result", "Repayment due (tilbagebetaling)", due, note), audit]
