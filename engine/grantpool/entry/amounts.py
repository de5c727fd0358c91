"""Amounts as people type them into an entry: ``1500`` or ``1500.00``, nothing else;
on a Danish page also as Danes write them, ``1.500,00`` or ``1500,50`` (``amount_in``).

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
# Danish: a decimal comma, the thousands grouped by points (1.500,00; 1.500; 1500,5).
DANISH = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]{1,2})?|[0-9]{1,13},[0-9]{1,2}")


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


def amount_in(text: str, language: str | None) -> Decimal:
    """*text* as an amount written in *language*: on a Danish page ``1.500,00`` is 1500.00
    (and ``1500.00`` still reads as written); elsewhere only ``parse_amount``'s form."""
    if language == "da" and DANISH.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    return parse_amount(text)
