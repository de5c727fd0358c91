"""Grant accounts that chain: each year's carry-in is the year before's carry-out, the
years' flows sum to the period's, and the period's settlement is the last year's."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest

from grantpool.audit.grant_accounts import GrantAccounts, grant_accounts
from grantpool.figures.categories import file_periods
from grantpool.rules import engine
from tests.conftest import RULES

FLOWS = ("received", "purchases", "salary", "expenses")
SETTLEMENT = ("carry_over", "kept", "repayment_due")


def every_file(example_loaded: Any, municipality: str) -> tuple[list[GrantAccounts],
                                                                GrantAccounts]:
    rules, errors = engine.load(RULES / "dk2017.yaml")
    assert rules is not None and not errors
    periods = file_periods(rules.pool).periods
    made = [grant_accounts(example_loaded[0], rules.pool, municipality, p) for p in periods]
    return made[:-1], made[-1]


@pytest.mark.parametrize("municipality", ["Aarhus", "Halsnæs", "Kolding", "Lejre"])
def test_accounts_chain__each_year_carries_in_what_the_year_before_carried_out(
    example_loaded: Any, municipality: str
) -> None:
    years, whole = every_file(example_loaded, municipality)
    assert years[0].amount("carried_in") == whole.amount("carried_in") == 0
    for before, after in itertools.pairwise(years):
        assert after.amount("carried_in") == before.amount("carried_out") == before.amount(
            "unspent")
    for year in years:
        assert year.amount("unspent") == (year.amount("carried_in") + year.amount("received")
                                          - year.amount("expenses"))


@pytest.mark.parametrize("municipality", ["Aarhus", "Halsnæs", "Kolding", "Lejre"])
def test_accounts_chain__the_years_sum_to_the_period_and_settle_as_it_does(
    example_loaded: Any, municipality: str
) -> None:
    years, whole = every_file(example_loaded, municipality)
    for key in FLOWS:
        assert sum((y.amount(key) for y in years), Decimal(0)) == whole.amount(key), key
    last = years[-1]
    assert last.final and whole.final and not any(y.final for y in years[:-1])
    assert last.amount("unspent") == whole.amount("unspent")
    for key in SETTLEMENT:
        assert last.amount(key) == whole.amount(key), key
    assert all(y.amount("repayment_due") == 0 for y in years[:-1])


def test_accounts_chain__aarhus_2019_repays_what_the_period_repays(example_loaded: Any) -> None:
    years, whole = every_file(example_loaded, "Aarhus")
    assert years[1].amount("carried_out") == years[2].amount("carried_in") > 0
    assert years[2].amount("repayment_due") == whole.amount("repayment_due") == Decimal(
        "590556.00")


def test_accounts_chain__lejre_keeps_430_in_its_last_year_and_its_period(
    example_loaded: Any,
) -> None:
    years, whole = every_file(example_loaded, "Lejre")
    for accounts in (years[-1], whole):
        assert accounts.amount("kept") == Decimal("430.00")
        assert accounts.amount("repayment_due") == 0
