"""The data of the extension's pages: pure functions over loaded entries.

The figures are ``grantpool.figures.report`` rows, the same as ``grantpool report``; this
module only adds what a page shows beside them: flows for the Sankey diagram,
monthly spending, tranches, a citizen's statement, findings grouped.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books import chart as acc
from grantpool.books.roles import roles
from grantpool.figures.levels import PoolFigures
from grantpool.figures.report import Row, citizen_row, rows_of
from grantpool.rules.spec import RuleSet

ZERO = Decimal(0)


@dataclass(frozen=True)
class View:
    """What a request asks for: the as-of day (end of Fava's time filter) and
    Fava's account filter (a regular expression or a parent account)."""

    as_of: datetime.date
    account: str | None = None

    def shows(self, row: Row) -> bool:
        if not self.account:
            return True
        if row.account == self.account or row.account.startswith(self.account + ":"):
            return True
        if self.account.startswith(row.account + ":"):  # a filter inside this row's tree
            return True
        try:
            return re.search(self.account, row.account) is not None
        except re.error:
            return False


def pool_page(
    levels: PoolFigures, rules: RuleSet, view: View, cap: Decimal | None
) -> dict[str, Any]:
    pool = rules.pool
    [row] = rows_of(levels, pool, view.as_of, "pool", cap)
    munis = [r for r in rows_of(levels, pool, view.as_of, "municipality", cap) if view.shows(r)]
    flows = flow_edges(levels, {r.municipality for r in munis})
    return {"row": row, "municipalities": munis, "flows": flows,
            "appropriation": levels.appropriation, "kept_share": levels.kept_share,
            "paid_out": levels.paid_out, "admin_spent": levels.admin_spent}


def flow_edges(levels: PoolFigures, shown: set[str | None]) -> list[tuple[str, str, Decimal]]:
    """(source, target, amount): pool to each municipality, each to what it paid for."""
    edges: list[tuple[str, str, Decimal]] = []
    for name, grant in sorted(levels.grants.items()):
        if name not in shown or not grant.awarded:
            continue
        edges.append(("Pool", name, grant.awarded))
        spent: defaultdict[str, Decimal] = defaultdict(Decimal)
        for citizen in grant.citizens.values():
            for category, amount in citizen.by_category.items():
                spent[category] += amount
        spent["salary"] += grant.salary_paid
        spent["returned to the state"] += grant.returned
        used = sum(spent.values(), ZERO)
        spent["not yet spent"] += grant.awarded - used
        edges += [(name, target, amount) for target, amount in sorted(spent.items()) if amount > 0]
    return edges


def monthly_spending(entries: list[data.Directive], as_of: datetime.date,
                     shown: set[str | None]) -> list[tuple[datetime.date, Decimal]]:
    """Cumulative purchases and salary at the end of each month, up to *as_of*."""
    role_map = roles(entries)
    months: defaultdict[datetime.date, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if entry.date > as_of:
            break
        if isinstance(entry, data.Transaction) and entry.tags & {"purchase", "salary"}:
            for posting in entry.postings:
                role = role_map.get(posting.account)
                if role and role.role in ("purchase", "salary_expense") and (
                        role.municipality in shown) and posting.units is not None:
                    months[entry.date.replace(day=1)] += posting.units.number or ZERO
    total, series = ZERO, []
    for month in sorted(months):
        total += months[month]
        series.append((month, total))
    return series


def municipality_page(levels: PoolFigures, rules: RuleSet, view: View, name: str,
                      cap: Decimal | None, entries: list[data.Directive]) -> dict[str, Any] | None:
    pool = rules.pool
    grant_rows = [r for r in rows_of(levels, pool, view.as_of, "municipality", cap)
                  if r.municipality == name]
    if not grant_rows:
        return None
    citizen_cap = cap if cap is not None else pool.drawing_right
    grant = levels.grants[name]
    citizens = [r for r in (citizen_row(c, pool, view.as_of, citizen_cap)
                            for _, c in sorted(grant.citizens.items())) if view.shows(r)]
    days_left = {r.citizen: (r.window_end - view.as_of).days
                 for r in citizens if r.status == "active" and r.window_end}
    return {"row": grant_rows[0], "citizens": citizens, "days_left": days_left,
            "tranches": tranches(entries, name, view.as_of)}


def tranches(entries: list[data.Directive], name: str,
             as_of: datetime.date) -> list[tuple[datetime.date, Decimal, dict[str, Any]]]:
    account = acc.muni_awaiting(name)
    out = []
    for entry in entries:
        if entry.date > as_of:
            break
        if isinstance(entry, data.Transaction) and "tranche" in (entry.tags or ()):
            for posting in entry.postings:
                if posting.account == account and posting.units is not None:
                    out.append((entry.date, posting.units.number or ZERO, entry.meta))
    return out
