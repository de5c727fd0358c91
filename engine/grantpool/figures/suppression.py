"""Small-cell suppression decided across every file a municipality sends.

The cells are a municipality's purchases by category, one row per file (each year of
the project and the whole period).  Two kinds of sums are published beside them: each
file's total (the drawing-rights line) and, per category, the period's cell, which is
the sum of the years' cells.  A cell bought by fewer than ``min_group`` citizens (but
by at least one) is suppressed; complementary cells are then suppressed until

* every relation (a file's row, a category's years-and-period column) that holds a
  suppressed cell holds at least two (so no file hides one cell alone), and
* no suppressed cell can be worked out by any sum or difference of published figures:
  its unit vector is not in the row space of the relations restricted to the
  suppressed cells (exact Gaussian elimination over ``Fraction``).

Complements are the cheapest cells of a relation: bought by someone before zero cells,
then the fewest citizens, the smallest amount, the category code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

Key = tuple[int, str]  # (file index, category code)
Relation = dict[Key, int]  # coefficient of each cell; the relation's total is published


@dataclass(frozen=True)
class Cell:
    amount: Decimal
    people: int  # citizens who bought in the category within the file's period


def relations(cells: dict[Key, Cell], years: Sequence[int], period: int) -> list[Relation]:
    """Each file's row (its total) and each category's column (period - years = 0)."""
    files = sorted({f for f, _ in cells})
    codes = sorted({c for _, c in cells})
    rows = [{(f, c): 1 for c in codes if (f, c) in cells} for f in files]
    columns = []
    for code in codes:
        column = {(y, code): -1 for y in years if (y, code) in cells}
        if (period, code) in cells:
            column[(period, code)] = 1
        columns.append(column)
    return [r for r in rows + columns if r]


def _cost(key: Key, cells: dict[Key, Cell]) -> tuple[bool, int, Decimal, str, int]:
    cell = cells[key]
    return (cell.people == 0, cell.people, cell.amount, key[1], key[0])


def _cheapest(keys: Iterable[Key], cells: dict[Key, Cell], hidden: set[Key]) -> Key | None:
    free = [k for k in keys if k not in hidden]
    return min(free, key=lambda k: _cost(k, cells)) if free else None


def suppress(cells: dict[Key, Cell], years: Sequence[int], period: int,
             min_group: int) -> frozenset[Key]:
    """The cells to suppress: the small ones and their complements (module docstring)."""
    links = relations(cells, years, period)
    hidden = {k for k, cell in cells.items() if 0 < cell.people < min_group}
    while True:
        changed = True
        while changed:
            changed = False
            for relation in links:
                if sum(1 for k in relation if k in hidden) == 1:
                    extra = _cheapest(relation, cells, hidden)
                    if extra is not None:
                        hidden.add(extra)
                        changed = True
        open_ = derivable(hidden, links)
        if not open_:
            return frozenset(hidden)
        touching = [k for r in links if set(r) & open_ for k in r]
        extra = _cheapest(touching, cells, hidden) or _cheapest(cells, cells, hidden)
        if extra is None:  # every cell is suppressed: nothing more can be done
            return frozenset(hidden)
        hidden.add(extra)


def derivable(hidden: Iterable[Key], links: Sequence[Relation]) -> set[Key]:
    """The suppressed cells that some combination of the published sums determines."""
    unknowns = sorted(set(hidden))
    basis = _rref([[Fraction(r.get(k, 0)) for k in unknowns] for r in links])
    found = set()
    for i, key in enumerate(unknowns):
        vector = [Fraction(int(j == i)) for j in range(len(unknowns))]
        for pivot, row in basis:
            if vector[pivot]:
                factor = vector[pivot]
                vector = [v - factor * w for v, w in zip(vector, row, strict=True)]
        if not any(vector):
            found.add(key)
    return found


def _rref(matrix: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """The nonzero rows of *matrix* in reduced row echelon form, with their pivots."""
    rows = [row[:] for row in matrix if any(row)]
    basis: list[tuple[int, list[Fraction]]] = []
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pick = next((r for r in rows if r[column]), None)
        if pick is None:
            continue
        rows.remove(pick)
        pick = [v / pick[column] for v in pick]
        rows = [[v - r[column] * w for v, w in zip(r, pick, strict=True)] for r in rows]
        basis = [(p, [v - b[column] * w for v, w in zip(b, pick, strict=True)])
                 for p, b in basis]
        basis.append((column, pick))
    return basis
