"""A municipality's purchases by category in each file of its grant accounts: every
calendar year of the project (clipped to it) and the whole project period."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from grantpool.figures.records import GrantFigures
from grantpool.figures.suppression import Cell, Key
from grantpool.rules.pooldef import Period, PoolDef

ZERO = Decimal(0)
ONE_DAY = datetime.timedelta(days=1)
At = Callable[[datetime.date], GrantFigures | None]  # a grant's figures as of a day


@dataclass(frozen=True)
class FilePeriods:
    """The periods of the files a municipality sends: each year, then the whole."""

    periods: tuple[Period, ...]

    @property
    def years(self) -> range:
        return range(len(self.periods) - 1)

    @property
    def whole(self) -> int:
        return len(self.periods) - 1


def file_periods(pool: PoolDef) -> FilePeriods:
    project = pool.project_period
    years = [Period(max(project.start, datetime.date(y, 1, 1)),
                    min(project.end, datetime.date(y, 12, 31)))
             for y in range(project.start.year, project.end.year + 1)]
    return FilePeriods((*years, project))


def spent_by_category(grant: GrantFigures | None) -> dict[str, dict[str, Decimal]]:
    """category -> citizen -> purchases paid, from the books' first day."""
    out: dict[str, dict[str, Decimal]] = {}
    for pid, citizen in (grant.citizens.items() if grant else ()):
        for code, amount in citizen.by_category.items():
            out.setdefault(code, {})[pid] = amount
    return out


def category_cells(at: At, files: FilePeriods, catalogue: tuple[str, ...] = ()
                   ) -> dict[Key, Cell]:
    """Every (file, category) cell: purchases in the file's period and the citizens who
    bought; every category bought in any file has a cell in every file (zero or not),
    and there are at least two categories (from *catalogue*), so that a small one can
    always be hidden with another."""
    flows: list[dict[str, dict[str, Decimal]]] = []
    for period in files.periods:
        end, start = spent_by_category(at(period.end)), spent_by_category(
            at(period.start - ONE_DAY))
        flows.append({code: {pid: amount - start.get(code, {}).get(pid, ZERO)
                             for pid, amount in people.items()}
                      for code, people in end.items()})
    codes = sorted({code for flow in flows for code, people in flow.items()
                    if any(people.values())})
    for code in catalogue:
        if len(codes) >= 2:
            break
        codes = sorted({*codes, code})
    cells: dict[Key, Cell] = {}
    for index, flow in enumerate(flows):
        for code in codes:
            people = flow.get(code, {})
            cells[(index, code)] = Cell(sum(people.values(), ZERO),
                                        sum(1 for v in people.values() if v))
    return cells
