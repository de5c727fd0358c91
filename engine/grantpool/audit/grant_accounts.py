"""The grant accounts (tilskudsregnskab) of one municipality for a year or the
whole project period, in the shape the ministry's grant handbook asks for:
the money carried in from the year before, the grant received as its own income
line, expenses by the approved budget lines, the unspent money, what is carried to
the next year, a carry-over, what is kept under the de-minimis, the repayment due
and the audit the grant's size requires.

The files chain: a year's carry-in is the year before's carry-out (the municipality's
bank at the year's end), the years' flows sum to the period's, and the final year's
settlement (carry-over, kept, repayment) is the period's.

Each line has a stable ``key`` (``LINE_KEYS``; categories ``category:<code>``), so that
a translation or a test never depends on a label's words, and a ``link``: the Fava
page whose postings sum to the line (``grantpool.figures.links``).

Category totals are suppressed across the whole set of files a municipality sends
(every year and the period), by ``grantpool.figures.suppression``: a suppressed
category's line has no amount, and the suppressed lines' sum is one line of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from grantpool.books import chart as acc
from grantpool.figures.categories import At, category_cells, file_periods
from grantpool.figures.levels import GrantFigures, figures
from grantpool.figures.links import Link, books_start, span
from grantpool.figures.report import Row, rows_of
from grantpool.figures.suppression import Cell, suppress
from grantpool.rules.pooldef import Period, PoolDef

ZERO = Decimal(0)
ONE_DAY = datetime.timedelta(days=1)
LINE_KEYS = ("carried_in", "received", "category:<code>", "categories_suppressed",
             "purchases", "salary", "expenses", "unspent", "carried_out", "carry_over",
             "kept", "repayment_due", "audit")


@dataclass(frozen=True)
class Line:
    section: str  # income, expenses, result, audit
    label: str
    amount: Decimal | None  # None: suppressed
    note: str = ""
    key: str = ""  # one of LINE_KEYS: what the line means, whatever its label's language
    link: Link | None = None  # the Fava page whose postings sum to the amount


@dataclass(frozen=True)
class GrantAccounts:
    municipality: str
    period: Period
    final: bool  # the period ends with the project: the repayment is settled here
    lines: tuple[Line, ...]
    citizens: tuple[Row, ...]

    def amount(self, key: str) -> Decimal:
        """The amount of the line with this key (or label); zero when suppressed."""
        return next(line.amount or ZERO for line in self.lines
                    if key in (line.key, line.label))


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
    cache: dict[datetime.date, GrantFigures | None] = {}

    def at(day: datetime.date) -> GrantFigures | None:
        if day not in cache:
            cache[day] = figures(entries, day).grants.get(municipality)
        return cache[day]

    settled = at(datetime.date.max)
    if settled is None:
        raise NoSuchGrant(f"no grant to '{municipality}' in the books")
    files = file_periods(pool)
    if period not in files.periods:
        raise ValueError(f"{period.start} .. {period.end} is not a year of the project "
                         "nor its whole period")
    cells = category_cells(at, files, tuple(c.code for c in pool.categories))
    hidden = suppress(cells, files.years, files.whole, pool.min_group)
    index = files.periods.index(period)
    final = period.end >= pool.project_period.end
    mine = {k[1]: cells[k] for k in cells if k[0] == index}
    lines = _lines(pool, municipality, period, at, mine)
    lines[2:2] = _category_lines(pool, municipality, span(period.start, period.end), mine,
                                 {code for i, code in hidden if i == index})
    lines += _settlement(pool, municipality, settled, lines[-1].amount or ZERO, final)
    rows = rows_of(figures(entries, period.end), pool, period.end, "citizen", cap)
    citizens = tuple(r for r in rows if r.municipality == municipality)
    return GrantAccounts(municipality, period, final, tuple(lines), citizens)


def unspent_by(grant: GrantFigures | None) -> Decimal:
    """Grant received less purchases and salary paid, from the books' first day: the
    municipality's bank before anything is repaid."""
    if grant is None:
        return ZERO
    paid = sum((c.paid for c in grant.citizens.values()), ZERO)
    return grant.received - paid - grant.salary_paid


def _lines(pool: PoolDef, muni: str, period: Period, at: At,
           cells: dict[str, Cell]) -> list[Line]:
    end, before = at(period.end), at(period.start - ONE_DAY)
    flow = span(period.start, period.end)
    start = books_start(pool)
    expenses_root = acc.salary_expense(muni).rsplit(":", 1)[0]
    received = (end.received if end else ZERO) - (before.received if before else ZERO)
    salary = (end.salary_paid if end else ZERO) - (before.salary_paid if before else ZERO)
    carried_in = unspent_by(before)
    purchases = sum((cell.amount for cell in cells.values()), ZERO)
    expenses = purchases + salary
    unspent = carried_in + received - expenses
    bank_before = (Link(span(start, period.start - ONE_DAY), acc.muni_bank(muni))
                   if period.start - ONE_DAY >= start else None)
    return [Line("income", "Carried in from the year before (overført fra forrige år)",
                 carried_in, "", "carried_in", bank_before),
            Line("income", "Grant received (tilskud modtaget)", received, "", "received",
                 Link(flow, acc.muni_awaiting(muni), "#tranche")),
            Line("expenses", "Budget line: drawing rights (purchases), total", purchases, "",
                 "purchases", Link(flow, f"{expenses_root}:Purchases", "#purchase")),
            Line("expenses", "Budget line: staff salary (loenkroner)", salary, "", "salary",
                 Link(flow, acc.salary_expense(muni))),
            Line("expenses", "Expenses, total", expenses, "", "expenses",
                 Link(flow, expenses_root, "#purchase, #salary")),
            Line("result", "Unspent (uforbrugte midler)", unspent, "", "unspent",
                 Link(span(start, period.end), acc.muni_bank(muni)))]


def _category_lines(pool: PoolDef, muni: str, flow: str, cells: dict[str, Cell],
                    hidden: set[str]) -> list[Line]:
    """One line per category (no amount when suppressed), then the suppressed ones'
    sum."""
    shown: list[Line] = []
    suppressed = ZERO
    count = 0
    for code in sorted(cells):
        amount, people = cells[code].amount, cells[code].people
        if code in hidden:
            suppressed += amount
            count += 1
            shown.append(Line("expenses", f"Drawing rights: {code}", None, "suppressed",
                              f"category:{code}"))
            continue
        category = pool.category(code)
        link = (Link(flow, acc.purchase_expense(muni, category.account), "#purchase")
                if category else None)
        shown.append(Line("expenses", f"Drawing rights: {code}", amount,
                          f"{people} citizens", f"category:{code}", link))
    if count:
        shown.append(Line("expenses", "Drawing rights: suppressed categories, together",
                          suppressed, f"{count} categories, suppressed: bought by fewer "
                          f"than {pool.min_group} citizens, or hidden with them",
                          "categories_suppressed"))
    return shown


def _settlement(pool: PoolDef, muni: str, settled: GrantFigures, unspent: Decimal,
                final: bool) -> list[Line]:
    audit = Line("audit", "Audit required", None, pool.audit_for(settled.awarded), "audit")
    if not final:
        return [Line("result", "Carried to the next year (overføres til næste år)", unspent,
                     "not the final period", "carried_out"),
                Line("result", "Repayment due (tilbagebetaling)", ZERO,
                     "settled in the final accounts", "repayment_due"), audit]
    carried = settled.carry_over
    kept = unspent if not carried and 0 < unspent < pool.de_minimis else ZERO
    due = unspent if not carried and unspent >= pool.de_minimis else ZERO
    note = ("carry-over approved" if carried else
            f"under the {pool.de_minimis} de-minimis (bagatelgraense): not claimed, kept"
            if kept else "")
    bank = Link(span(books_start(pool), pool.project_period.end), acc.muni_bank(muni))
    return [Line("result", "Carry-over approved (overførsel godkendt)",
                 unspent if carried else ZERO, "", "carry_over", bank if carried else None),
            Line("result", "Kept under the de-minimis (bagatelgrænse)", kept,
                 "unspent, not claimed" if kept else "", "kept",
                 Link("", acc.retained_expense(muni))),
            Line("result", "Repayment due (tilbagebetaling)", due, note, "repayment_due",
                 Link("", acc.muni_repayment(muni), "#repayment-claim")), audit]
