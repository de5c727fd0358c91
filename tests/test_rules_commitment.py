"""``unpaid_commitment``: a commitment still unpaid more than ``within_days`` after it was
made is a warning at its line (dk2017: 90 days); payments settle the oldest first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.rulebooks import COMMITTED, books, commitment, purchase
from tests.ruletools import findings, line_of

Loader = Callable[[str], Any]


def unpaid(loaded: Any) -> list[Any]:
    return [f for f in findings(loaded) if f.rule == "commitment-unpaid"]


def test_unpaid_commitment__90_days_is_still_in_time(load_doc: Loader) -> None:
    assert unpaid(load_doc(books(commitment("2018-04-01", "15000.00"), as_of="2018-06-30"))) == []


def test_unpaid_commitment__91_days_is_a_warning_at_the_commitments_line(
        load_doc: Loader, tmp_path: Path) -> None:
    [late] = unpaid(load_doc(books(commitment("2018-04-01", "15000.00"), as_of="2018-07-01")))
    assert late.severity == "warning"
    assert "P-LEJ-001: 15000.00 DKK committed on 2018-04-01 still unpaid after 91 days" in \
        late.message
    assert late.source["lineno"] == line_of(tmp_path / "main.beancount", "Commitment")


def test_unpaid_commitment__a_part_paid_leaves_the_rest_unpaid(load_doc: Loader) -> None:
    text = books(commitment("2018-04-01", "15000.00"),
                 purchase("2018-05-01", "10000.00", account="HousingDeposit", source=COMMITTED),
                 as_of="2018-09-01")
    [late] = unpaid(load_doc(text))
    assert "5000.00 DKK committed on 2018-04-01" in late.message


def test_unpaid_commitment__paid_in_full_or_released_is_fine(load_doc: Loader) -> None:
    paid = books(commitment("2018-04-01", "15000.00"),
                 purchase("2018-08-01", "15000.00", account="HousingDeposit", source=COMMITTED),
                 as_of="2018-12-31")
    released = books(commitment("2018-04-01", "15000.00"),
                     commitment("2018-06-01", "-15000.00"), as_of="2018-12-31")
    assert unpaid(load_doc(paid)) == [] and unpaid(load_doc(released)) == []


def test_unpaid_commitment__payments_settle_the_oldest_commitment_first(load_doc: Loader) -> None:
    text = books(commitment("2018-04-01", "5000.00"), commitment("2018-08-01", "5000.00"),
                 purchase("2018-08-15", "5000.00", account="HousingDeposit", source=COMMITTED),
                 as_of="2018-10-01")
    assert unpaid(load_doc(text)) == []  # the April one is paid; the August one is 61 days old
