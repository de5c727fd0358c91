"""Conservation at every level: citizen, grant, pool."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from grantpool.figures.levels import figures
from tests.rulebooks import BASE, commitment, purchase

END = datetime.date(2030, 1, 1)

# Lejre's grant of two courses (tests/rulebooks.py), a commitment, a purchase, a payroll.
BOOKS = 'option "operating_currency" "DKK"\n' + BASE + commitment("2018-04-01", "3000.00") + (
    purchase("2018-04-10", "1890.00")) + """
2018-04-30 * "Payroll" #salary
  Assets:Municipality:Lejre:Bank:Salary   -3750.00 DKK
  Expenses:Municipality:Lejre:Salary       3750.00 DKK
"""


def test_conservation__holds_at_every_level(load_doc: Callable[[str], Any]) -> None:
    entries, errors, _ = load_doc(BOOKS)
    assert errors == []
    pool = figures(entries, END)
    lejre = pool.grants["Lejre"]
    citizen = lejre.citizens["P-LEJ-001"]
    assert (citizen.granted, citizen.paid, citizen.committed, citizen.remaining) == (
        Decimal("50000.00"), Decimal("1890.00"), Decimal("3000.00"), Decimal("45110.00"))
    assert citizen.by_category == {"health_dental": Decimal("1890.00")}
    assert citizen.difference == 0
    assert (lejre.awarded, lejre.received, lejre.unallocated) == (
        Decimal("190000.00"), Decimal("190000.00"), Decimal("50000.00"))
    assert lejre.salary_paid == Decimal("3750.00") and lejre.difference == 0
    assert (pool.appropriation, pool.granted, pool.kept_share, pool.unallocated) == (
        Decimal("10000000.00"), Decimal("190000.00"), Decimal("500000.00"),
        Decimal("9310000.00"))
    assert pool.difference == 0


def test_conservation__as_of_leaves_out_later_directives(load_doc: Callable[[str], Any]) -> None:
    entries, _, _ = load_doc(BOOKS)
    pool = figures(entries, datetime.date(2018, 3, 31))
    citizen = pool.grants["Lejre"].citizens["P-LEJ-001"]
    assert citizen.paid == 0 and citizen.remaining == Decimal("50000.00")


def test_conservation__untagged_money_out_of_a_budget_breaks_the_citizen_level(
    load_doc: Callable[[str], Any],
) -> None:
    entries, _, _ = load_doc(BOOKS + """
2018-04-01 * "Moved to the salary line without a tag"
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available   -500.00 DKK
  Assets:Municipality:Lejre:Bank:Salary                          500.00 DKK
""")
    citizen = figures(entries, END).grants["Lejre"].citizens["P-LEJ-001"]
    assert citizen.difference == Decimal("500.00")


def test_conservation__a_grant_award_outside_the_pool_breaks_the_pool_level(
    load_doc: Callable[[str], Any],
) -> None:
    entries, _, _ = load_doc(BOOKS + """
2018-04-01 * "Unallocated pool money spent directly" #grant-award
  Assets:Pool:Bank:Unallocated          -1000.00 DKK
  Assets:Pool:Bank:Administration        1000.00 DKK
""")
    assert figures(entries, END).difference == Decimal("1000.00")


def test_conservation__example_books_tie_at_every_level(example_loaded: Any) -> None:
    entries = example_loaded[0]
    for day in (datetime.date(2018, 6, 30), datetime.date(2019, 12, 31), END):
        pool = figures(entries, day)
        assert pool.difference == 0
        for grant in pool.grants.values():
            assert grant.difference == 0, grant.municipality
            assert all(c.difference == 0 for c in grant.citizens.values())
