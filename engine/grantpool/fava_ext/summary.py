"""What the pages add up beside the report rows: the money given back split into
returned to the state and kept under the de-minimis, a totals row over the rows
shown, and each budget's pace (share used against share of its window passed).

Pure functions over ``grantpool.figures.report`` rows and the level figures.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from grantpool.figures.levels import PoolFigures
from grantpool.figures.report import Row

ZERO = Decimal(0)
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class GrantLine:
    """A municipality's row with what it gave back split: granted = spent + committed +
    returned + kept + remaining, so that a row adds up on screen."""

    row: Row
    returned: Decimal  # claimed back by the state
    kept: Decimal  # unspent, under the de-minimis: not claimed

    @property
    def municipality(self) -> str:
        return self.row.municipality or ""


def split_returned(row: Row, levels: PoolFigures) -> GrantLine:
    """*row* with its ``returned`` split into claimed and kept.  The report row may
    carry ``kept`` itself (returned then excludes it); otherwise the figures say."""
    kept = getattr(row, "kept", None)
    if isinstance(kept, Decimal):
        return GrantLine(row, row.returned, kept)
    grant = levels.grants.get(row.municipality or "")
    retained = grant.retained if grant is not None else ZERO
    return GrantLine(row, row.returned - retained, retained)


@dataclass(frozen=True)
class Totals:
    """The sum of the rows a page shows: the figures its cards print."""

    count: int
    granted: Decimal
    committed: Decimal
    spent: Decimal
    returned: Decimal
    kept: Decimal
    remaining: Decimal

    @property
    def share_used(self) -> Decimal:
        used = self.spent + self.committed
        return (used / self.granted * HUNDRED).quantize(TENTH) if self.granted else ZERO


def totals(lines: list[GrantLine]) -> Totals:
    def total(name: str) -> Decimal:
        return sum((getattr(line.row, name) for line in lines), ZERO)

    return Totals(len(lines), total("granted"), total("committed"), total("spent"),
                  sum((line.returned for line in lines), ZERO),
                  sum((line.kept for line in lines), ZERO), total("remaining"))


@dataclass(frozen=True)
class Pace:
    """Share of the money used and share of the window passed, in per cent."""

    used: Decimal
    elapsed: Decimal

    @property
    def ahead(self) -> Decimal:
        """Used minus elapsed, in points: above 0 spends faster than time runs."""
        return self.used - self.elapsed

    @property
    def judgement(self) -> str:
        """``fast``, ``slow`` or ``even`` (within 15 points)."""
        if self.ahead > 15:
            return "fast"
        return "slow" if self.ahead < -15 else "even"


def pace(granted: Decimal, used: Decimal, start: datetime.date | None,
         end: datetime.date | None, as_of: datetime.date) -> Pace | None:
    """The pace of a budget (or grant) as of *as_of*; None without a window or money."""
    if start is None or end is None or not granted:
        return None
    days = (end - start).days + 1
    passed = min(max((as_of - start).days + 1, 0), days)
    return Pace((used / granted * HUNDRED).quantize(TENTH),
                (Decimal(passed) / Decimal(days) * HUNDRED).quantize(TENTH))


def row_pace(row: Row, as_of: datetime.date) -> Pace | None:
    """A row's pace: spent and committed against its granted money and its window;
    a budget stopped (moved out, excluded) or not started has none."""
    if row.status in ("moved_out", "excluded", "not_started"):
        return None
    return pace(row.granted - row.returned if row.level == "citizen" else row.granted,
                row.spent + row.committed, row.window_start, row.window_end, as_of)


def stops(events: list[tuple[datetime.date, str]],
          as_of: datetime.date) -> list[tuple[datetime.date, str]]:
    """The events that end a budget (moved out, excluded) up to *as_of*, by date."""
    return sorted((day, kind) for day, kind in events
                  if kind in ("moved_out", "excluded") and day <= as_of)
