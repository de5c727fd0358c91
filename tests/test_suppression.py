"""Suppression that cannot be undone: over the whole set of files a municipality sends
(every year and the period), no suppressed category can be worked out by any sum or
difference of published figures, and no file suppresses one category alone.

The check reads only what the files publish (each category's amount or its absence,
the suppressed categories' sum, the drawing-rights total) and solves for each
suppressed cell with exact rational Gaussian elimination, independently of the code
that chose the cells."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grantpool.audit.grant_accounts import GrantAccounts, grant_accounts
from grantpool.books.loading import load
from grantpool.books.opening import declared_rules
from grantpool.cli import main
from grantpool.figures.categories import file_periods
from grantpool.figures.suppression import Cell, derivable, relations, suppress
from grantpool.rules import engine

Cellkey = tuple[int, str]


def published(files: list[GrantAccounts]) -> tuple[dict[Cellkey, Decimal | None],
                                                     list[Decimal]]:
    """(file, category) -> the amount published (None: suppressed); each file's total."""
    cells: dict[Cellkey, Decimal | None] = {}
    for index, accounts in enumerate(files):
        for line in accounts.lines:
            if line.key.startswith("category:"):
                cells[(index, line.key.split(":", 1)[1])] = line.amount
    return cells, [a.amount("purchases") for a in files]


def rank(matrix: list[list[Fraction]]) -> int:
    rows, count = [r[:] for r in matrix], 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in rows if r[column] != 0), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        rows = [[a - r[column] / pivot[column] * b for a, b in zip(r, pivot, strict=True)]
                for r in rows]
        count += 1
    return count


def worked_out(files: list[GrantAccounts]) -> list[Cellkey]:
    """The suppressed cells that the published figures determine."""
    cells, totals = published(files)
    unknown = sorted(k for k, v in cells.items() if v is None)
    whole, years = len(files) - 1, range(len(files) - 1)
    equations: list[list[Fraction]] = []
    for index in range(len(files)):  # a file's categories sum to its total
        equations.append([Fraction(int(k[0] == index)) for k in unknown])
    for code in {c for _, c in cells}:  # a category's years sum to its period
        equations.append([Fraction(1 if k == (whole, code) else -1 if k[1] == code and k[0]
                                   in years else 0) for k in unknown])
    base = rank(equations)
    found = []
    for i, key in enumerate(unknown):
        unit = [Fraction(int(j == i)) for j in range(len(unknown))]
        if rank([*equations, unit]) == base:
            found.append(key)
    assert all(t is not None for t in totals)
    return found


def files_of(entries: list[Any], rules: Any, municipality: str) -> list[GrantAccounts]:
    return [grant_accounts(entries, rules.pool, municipality, p)
            for p in file_periods(rules.pool).periods]


def assert_safe(files: list[GrantAccounts], min_group: int) -> None:
    assert worked_out(files) == []
    for accounts in files:
        categories = [x for x in accounts.lines if x.key.startswith("category:")]
        hidden = [x for x in categories if x.amount is None]
        assert len(hidden) != 1, accounts.period
        shown_small = [x for x in categories if x.amount is not None and x.amount
                       and int(x.note.split()[0]) < min_group]
        assert shown_small == [], accounts.period
        if hidden:
            shown = sum((x.amount or Decimal(0) for x in categories), Decimal(0))
            assert accounts.amount("categories_suppressed") == (
                accounts.amount("purchases") - shown)


@pytest.mark.parametrize("municipality", ["Aarhus", "Halsnæs", "Kolding", "Lejre"])
def test_suppression__nothing_suppressed_in_the_example_books_can_be_worked_out(
    example_loaded: Any, municipality: str
) -> None:
    rules, _ = engine.load(Path(str(declared_rules(example_loaded[2]))))
    assert rules is not None
    files = files_of(example_loaded[0], rules, municipality)
    assert_safe(files, rules.pool.min_group)
    assert any(x.amount is None for f in files for x in f.lines)  # something was hidden


def test_suppression__lejre_2017_hides_its_one_category_with_another(
    example_loaded: Any,
) -> None:
    rules, _ = engine.load(Path(str(declared_rules(example_loaded[2]))))
    assert rules is not None
    [first, *_] = files_of(example_loaded[0], rules, "Lejre")
    hidden = [x for x in first.lines if x.key.startswith("category:") and x.amount is None]
    assert len(hidden) >= 2 and first.amount("categories_suppressed") == Decimal("616.00")


@pytest.mark.parametrize("seed", ["3", "11"])
def test_suppression__generated_books_with_few_citizens_are_safe(tmp_path: Path,
                                                                  seed: str) -> None:
    result = CliRunner().invoke(main, ["generate", "--out", str(tmp_path), "--seed", seed,
                                       "--municipalities", "2", "--citizens", "24"])
    assert result.exit_code == 0, result.output
    entries, _, options = load(tmp_path / "main.beancount")
    rules, _ = engine.load(Path(str(declared_rules(options))))
    assert rules is not None
    for municipality in ("Aarhus", "Halsnæs"):
        assert_safe(files_of(entries, rules, municipality), rules.pool.min_group)


def test_suppression__a_period_total_left_alone_is_hidden_with_a_year() -> None:
    # One category bought by 3 citizens in each of two years (6 in the period): the
    # years are small, the period is not; another category is large everywhere.
    cells = {(0, "a"): Cell(Decimal(300), 3), (1, "a"): Cell(Decimal(400), 3),
             (2, "a"): Cell(Decimal(700), 6), (0, "b"): Cell(Decimal(900), 9),
             (1, "b"): Cell(Decimal(800), 8), (2, "b"): Cell(Decimal(1700), 12)}
    hidden = suppress(cells, range(2), 2, 5)
    assert {(0, "a"), (1, "a")} <= hidden
    assert derivable(hidden, relations(cells, range(2), 2)) == set()
    assert all(sum(1 for k in hidden if k[0] == f) != 1 for f in range(3))
