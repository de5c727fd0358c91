"""Conservation at every level: citizen, grant, pool."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.levels import figures

END = datetime.date(2030, 1, 1)

BOOKS = """
option "operating_currency" "DKK"
2017-07-01 open Income:Pool:Appropriation DKK
2017-07-01 open Assets:Pool:Bank DKK
2017-07-01 open Assets:Pool:Bank:Unallocated DKK
2017-07-01 open Assets:Pool:Bank:Administration DKK
2017-07-01 open Assets:Pool:Bank:Returned DKK
2017-11-15 open Assets:Pool:Bank:Granted:Lejre DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:AwaitingTranches DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:DrawingRights DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:Salary DKK
  municipality: "Lejre"
2017-11-15 open Expenses:Municipality:Lejre:Salary DKK
  municipality: "Lejre"
2017-11-15 open Expenses:Municipality:Lejre:Purchases:HealthGlasses DKK
  municipality: "Lejre"
  category: "health_glasses"
2018-01-10 open Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available DKK
  citizen: "P-LEJ-001"
  municipality: "Lejre"
2018-01-10 open Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed DKK
  citizen: "P-LEJ-001"
  municipality: "Lejre"

2017-07-01 * "Appropriation" #appropriation
  Income:Pool:Appropriation            -200000.00 DKK
  Assets:Pool:Bank:Unallocated          190000.00 DKK
  Assets:Pool:Bank:Administration        10000.00 DKK

2017-11-15 * "Grant awarded" #grant-award
  Assets:Pool:Bank:Unallocated          -95000.00 DKK
  Assets:Pool:Bank:Granted:Lejre         95000.00 DKK
  Assets:Municipality:Lejre:Bank:AwaitingTranches  -95000.00 DKK
  Assets:Municipality:Lejre:Bank:DrawingRights      50000.00 DKK
  Assets:Municipality:Lejre:Bank:Salary             45000.00 DKK

2017-12-01 * "Tranche 1 of 1" #tranche
  Assets:Pool:Bank:Granted:Lejre        -95000.00 DKK
  Assets:Municipality:Lejre:Bank:AwaitingTranches   95000.00 DKK

2018-01-10 * "Budget granted" #budget
  Assets:Municipality:Lejre:Bank:DrawingRights                  -40000.00 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available     40000.00 DKK

2018-02-01 * "Commitment" #commitment
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available     -3000.00 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed      3000.00 DKK

2018-02-10 * "Purchase: health_glasses" #purchase
  Expenses:Municipality:Lejre:Purchases:HealthGlasses     1890.00 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available    -1890.00 DKK

2018-03-31 * "Payroll" #salary
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
        Decimal("40000.00"), Decimal("1890.00"), Decimal("3000.00"), Decimal("35110.00"))
    assert citizen.by_category == {"health_glasses": Decimal("1890.00")}
    assert citizen.difference == 0
    assert (lejre.awarded, lejre.received, lejre.unallocated) == (
        Decimal("95000.00"), Decimal("95000.00"), Decimal("10000.00"))
    assert lejre.salary_paid == Decimal("3750.00") and lejre.difference == 0
    assert (pool.appropriation, pool.granted, pool.kept_share, pool.unallocated) == (
        Decimal("200000.00"), Decimal("95000.00"), Decimal("10000.00"), Decimal("95000.00"))
    assert pool.difference == 0


def test_conservation__as_of_leaves_out_later_directives(load_doc: Callable[[str], Any]) -> None:
    entries, _, _ = load_doc(BOOKS)
    pool = figures(entries, datetime.date(2018, 1, 31))
    citizen = pool.grants["Lejre"].citizens["P-LEJ-001"]
    assert citizen.paid == 0 and citizen.remaining == Decimal("40000.00")


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
