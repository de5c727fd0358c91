"""The books as rows, one per pool, municipality or citizen: the figures that
``grantpool report`` prints and the Fava extension shows.

Every amount is a ``Decimal`` summed by ``grantpool.figures.levels``; windows and caps come
from the rules file.  Per level:

* citizen: granted = the budget; committed, spent (purchases paid), returned (to
  the grant), remaining (on ``Available``); cap = the rules' citizen cap; share =
  (spent + committed) / cap; window = decision + months, clipped; status
  active, ended, moved_out, excluded or not_started.
* municipality: granted = the grant awarded; committed and spent (purchases and
  salary) of its citizens and staff; returned = claimed back by the state
  (``#repayment-claim``); kept = unspent money kept under the de-minimis
  (``#de-minimis``, never "returned"); remaining = granted - spent - committed -
  returned - kept (what is left on the budget lines and the citizens' budgets);
  cap = the grant; window = the project period; status active, ended or closed
  (accounts submitted).
* pool: granted = grants awarded; spent adds administration; returned = repaid
  to the pool; kept = what the municipalities kept under the de-minimis;
  remaining = appropriation - granted - administration spent + returned (what
  the pool's bank holds outside the grants); cap = the application pool; share =
  granted / cap.

A citizen's ``kept`` is always zero.  Each figure's postings are named by
``grantpool.figures.links``: the drill-down behind every figure sums to it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books import chart as acc
from grantpool.books.periods import window
from grantpool.figures.levels import CitizenFigures, GrantFigures, PoolFigures, figures
from grantpool.rules.pooldef import PoolDef

LEVELS = ("pool", "municipality", "citizen")
ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
FIELDS = ("level", "municipality", "citizen", "account", "granted", "committed", "spent",
          "returned", "kept", "remaining", "cap", "share_of_cap", "window_start", "window_end",
          "status")


@dataclass(frozen=True)
class Row:
    level: str
    municipality: str | None
    citizen: str | None
    account: str
    granted: Decimal
    committed: Decimal
    spent: Decimal
    returned: Decimal
    remaining: Decimal
    cap: Decimal
    window_start: datetime.date | None
    window_end: datetime.date | None
    status: str
    kept: Decimal = ZERO  # under the de-minimis: never part of ``returned``

    @property
    def used(self) -> Decimal:
        return self.granted if self.level == "pool" else self.spent + self.committed

    @property
    def share_of_cap(self) -> Decimal:
        """The share of the cap used, in per cent with one decimal."""
        if not self.cap:
            return ZERO
        return (self.used / self.cap * HUNDRED).quantize(Decimal("0.1"))

    def to_json(self) -> dict[str, Any]:
        """Amounts as decimal strings, dates ISO, absent values null."""
        out: dict[str, Any] = {}
        for name in FIELDS:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = str(value if name == "share_of_cap" else value.quantize(CENT))
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            out[name] = value
        return out


def rows(
    entries: list[data.Directive], pool: PoolDef, as_of: datetime.date, level: str,
    cap: Decimal | None = None,
) -> list[Row]:
    """The rows of *level* as of *as_of*; *cap* is the citizen cap (default the pool's)."""
    return rows_of(figures(entries, as_of), pool, as_of, level, cap)


def holds_pool(entries: list[data.Directive]) -> bool:
    """Whether the books open the pool's bank account: a municipality's own books do not,
    so they have no pool row to give."""
    return any(isinstance(e, data.Open) and e.account == acc.POOL_BANK for e in entries)


def rows_of(
    levels: PoolFigures, pool: PoolDef, as_of: datetime.date, level: str,
    cap: Decimal | None = None,
) -> list[Row]:
    """The rows of *level* from figures already summed (``grantpool.figures.levels``)."""
    if level == "pool":
        return [pool_row(levels, pool, as_of)]
    grants = sorted(levels.grants.values(), key=lambda g: g.municipality)
    if level == "municipality":
        return [municipality_row(g, pool, as_of) for g in grants]
    citizen_cap = cap if cap is not None else pool.drawing_right
    return [citizen_row(c, pool, as_of, citizen_cap)
            for g in grants for c in sorted(g.citizens.values(), key=lambda c: c.citizen)]


def citizen_row(c: CitizenFigures, pool: PoolDef, as_of: datetime.date, cap: Decimal) -> Row:
    span = None
    if c.decision is not None:
        clip = pool.project_period if pool.clip_window else None
        span = window(c.decision, pool.window_months, clip)
    return Row("citizen", c.municipality, c.citizen, c.account, c.granted, c.committed, c.paid,
               c.returned, c.remaining, cap, span.start if span else None,
               span.end if span else None, citizen_status(c, span, as_of))


def citizen_status(c: CitizenFigures, span: Any, as_of: datetime.date) -> str:
    stops = [kind for day, kind in c.events if kind in ("moved_out", "excluded") and day <= as_of]
    if stops:
        return stops[0]
    if span is None or as_of < span.start:
        return "not_started"
    return "active" if as_of <= span.end else "ended"


def municipality_row(g: GrantFigures, pool: PoolDef, as_of: datetime.date) -> Row:
    citizens = g.citizens.values()
    committed = sum((c.committed for c in citizens), ZERO)
    spent = sum((c.paid for c in citizens), ZERO) + g.salary_paid
    remaining = g.awarded - spent - committed - g.returned - g.kept
    period = pool.project_period
    status = "closed" if g.closed_on and g.closed_on <= as_of else (
        "active" if as_of <= period.end else "ended")
    return Row("municipality", g.municipality, None, acc.muni_bank(g.municipality), g.awarded,
               committed, spent, g.returned, remaining, g.awarded, period.start, period.end,
               status, g.kept)


def pool_row(p: PoolFigures, pool: PoolDef, as_of: datetime.date) -> Row:
    grants = [municipality_row(g, pool, as_of) for g in p.grants.values()]
    committed = sum((r.committed for r in grants), ZERO)
    spent = sum((r.spent for r in grants), ZERO) + p.admin_spent
    remaining = p.appropriation - p.granted - p.admin_spent + p.returned
    period = pool.project_period
    return Row("pool", None, None, acc.POOL_BANK, p.granted, committed, spent, p.returned,
               remaining, pool.application_pool, period.start, period.end,
               "active" if as_of <= period.end else "ended", p.kept)
