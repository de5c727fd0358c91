"""Amounts as people type them into an entry: ``1500`` or ``1500.00``, nothing else.

Digits (ASCII), an optional decimal point with one or two decimals, at most
1,000,000,000,000: no exponent (``1e400``), no thousands separators (``1.500,00``,
``1_000``), no signs, no spaces, no ``NaN`` or ``Infinity``.  So an amount written into
the books is always finite money with two decimals.
"""

from __future__ import annotations

import re
from decimal import Decimal

from grantpool.privacy.cpr import redact

AMOUNT = re.compile(r"[0-9]{1,13}(?:\.[0-9]{1,2})?")
MAX_AMOUNT = Decimal("1000000000000")


class BadAmount(ValueError):
    """Not an amount like 1500.00; the message says so without repeating much of it."""


def parse_amount(text: str) -> Decimal:
    """The positive amount *text* spells, or ``BadAmount``."""
    shown = redact(text)[:40]
    if not AMOUNT.fullmatch(text):
        raise BadAmount(f"'{shown}' is not an amount like 1500.00 (digits, a decimal point "
                        f"and at most 2 decimals; no thousands separator, sign or exponent)")
    value = Decimal(text)
    if not 0 < value <= MAX_AMOUNT:
        raise BadAmount(f"'{shown}': give a positive amount of at most 1000000000000")
    return value
