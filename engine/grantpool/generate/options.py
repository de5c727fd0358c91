"""The generator's knobs. Domain figures come from the rules file, not from here:
these only shape synthetic data (how many, how random, which test cases)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class GenOptions:
    seed: int = 2017
    municipalities: int = 4
    citizens: int = 101
    purchases: int = 10
    years: int | None = None  # project period length in years; None: the rules' period
    return_days: int = 14  # days after a budget ends until its unspent money is returned
    small_unspent: Decimal = Decimal("430.00")  # one grant's final unspent (the de-minimis case)
