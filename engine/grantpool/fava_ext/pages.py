"""The data of the extension's pages: pure functions over loaded entries.

The figures are ``grantpool.figures.report`` rows, the same as ``grantpool report``; this
module only adds what a page shows beside them: flows for the Sankey diagram,
monthly spending, tranches, a citizen's statement, findings grouped.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books import chart as acc
from grantpool.fava_ext.summary import pace, row_pace, split_returned, stops, totals
from grantpool.fava_ext.texts import flow_order
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
    """The pool's row, the municipalities the filter shows (money given back split
    into returned and kept), their totals (what the cards print) and the flows."""
    pool = rules.pool
    [row] = rows_of(levels, pool, view.as_of, "pool", cap)
    every = rows_of(levels, pool, view.as_of, "municipality", cap)
    lines = [split_returned(r, levels) for r in every if view.shows(r)]
    flows = flow_edges(levels, {line.municipality for line in lines})
    summed = totals(lines)
    return {"row": row, "municipalities": lines, "totals": summed, "flows": flows,
            "totals_pace": pace(summed.granted, summed.spent + summed.committed,
                                row.window_start, row.window_end, view.as_of),
            "filtered": len(lines) != len(every), "every": len(every),
            "paces": {line.municipality: row_pace(line.row, view.as_of) for line in lines},
            "appropriation": levels.appropriation, "kept_share": levels.kept_share,
            "paid_out": levels.paid_out, "admin_spent": levels.admin_spent}


def flow_edges(levels: PoolFigures,
               shown: AbstractSet[str]) -> list[tuple[str, str, Decimal]]:
    """(source, target, amount): the pool to each municipality, each to what its money
    went to: category codes, ``salary``, ``returned`` (to the state), ``kept`` (under
    the de-minimis) and ``unspent``; the pool itself is ``pool``."""
    edges: list[tuple[str, str, Decimal]] = []
    for name, grant in sorted(levels.grants.items()):
        if name not in shown or not grant.awarded:
            continue
        edges.append(("pool", name, grant.awarded))
        spent: defaultdict[str, Decimal] = defaultdict(Decimal)
        for citizen in grant.citizens.values():
            for category, amount in citizen.by_category.items():
                spent[category] += amount
        spent["salary"] += grant.salary_paid
        spent["returned"] += grant.claimed
        spent["kept"] += grant.retained
        used = sum(spent.values(), ZERO)
        spent["unspent"] += grant.awarded - used
        edges += [(name, target, spent[target]) for target in sorted(spent, key=flow_order)
                  if spent[target] > 0]
    return edges


def monthly_series(daily: dict[str, dict[datetime.date, Decimal]], as_of: datetime.date,
                   shown: AbstractSet[str]) -> list[tuple[datetime.date, Decimal]]:
    """Cumulative spending of the municipalities *shown* at the end of each month, up
    to *as_of*."""
    months: defaultdict[int, Decimal] = defaultdict(Decimal)  # year * 12 + month - 1
    for name in shown:
        for day, amount in daily.get(name, {}).items():
            if day <= as_of:
                months[day.year * 12 + day.month - 1] += amount
    total, series = ZERO, []
    for month in sorted(months):
        total += months[month]
        series.append((datetime.date(month // 12, month % 12 + 1, 1), total))
    return series


def municipality_page(levels: PoolFigures, rules: RuleSet, view: View, name: str,
                      cap: Decimal | None, entries: list[data.Directive],
                      side: str = "municipality") -> dict[str, Any] | None:
    """The grant's row (given back split), the budgets the filter shows with their
    totals, pace, days left and the dates they stopped, and the tranches (*side*:
    whose halves of them *entries* hold, see ``tranches``)."""
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
    line = split_returned(grant_rows[0], levels)
    return {"row": grant_rows[0], "line": line, "pace": row_pace(line.row, view.as_of),
            "citizens": citizens, "days_left": days_left,
            "citizen_totals": citizen_totals(citizens),
            "paces": {r.citizen: row_pace(r, view.as_of) for r in citizens},
            "stops": {pid: stops(c.events, view.as_of) for pid, c in grant.citizens.items()},
            "tranches": tranches(entries, name, view.as_of, side)}


def citizen_totals(citizens: list[Row]) -> dict[str, Decimal]:
    """The sums of the budgets shown: the totals row of the citizens' table."""
    return {key: sum((getattr(r, key) for r in citizens), ZERO)
            for key in ("granted", "committed", "spent", "returned", "remaining")}


def tranches(entries: list[data.Directive], name: str, as_of: datetime.date,
             side: str = "municipality") -> list[tuple[datetime.date, Decimal, dict[str, Any]]]:
    """The tranches to municipality *name* up to *as_of*: (day, amount, where booked).

    Each tranche is booked twice (``grantpool.federation.transfers``): the
    municipality's half (``#tranche`` on its ``AwaitingTranches``, received), read from
    its own or the consolidated books, and the pool's half (``#tranche`` on
    ``Assets:Pool:Bank:Granted:<M>``, paid out), read when *side* is ``"pool"`` (the
    pool's own books hold no municipality's half)."""
    account = acc.pool_granted(name) if side == "pool" else acc.muni_awaiting(name)
    sign = -1 if side == "pool" else 1
    out = []
    for entry in entries:
        if entry.date > as_of:
            break
        if isinstance(entry, data.Transaction) and "tranche" in (entry.tags or ()):
            for posting in entry.postings:
                if posting.account == account and posting.units is not None:
                    out.append((entry.date, sign * (posting.units.number or ZERO), entry.meta))
    return out
