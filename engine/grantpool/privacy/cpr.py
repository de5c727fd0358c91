"""CPR-looking text: found in what people type, and never repeated back.

A CPR number is ten digits, a date ``DDMMYY`` and a serial ``SSSS``, whose date
is a real day in some century (no modulus-11 check: valid numbers without it
exist since 2007).  People write it in many ways, all of them found here:

- ``0101901234``, ``010190-1234``, ``010190 1234``, ``010190 - 1234``;
- any dash between date and serial: hyphen, en dash (U+2013), em dash, minus sign;
- the date in groups, by dots or spaces alike: ``01.01.90-1234``, ``01 01 90 1234``.

And these are not CPR numbers: an amount (digits next to a decimal point or
comma: ``0101901234.00``, ``123456.78``), an ISO date (``2019-01-01``), a phone
number (``+45 12 34 56 78``, ``12345678``: eight digits), a longer number
(``12345678901``), one run on into a reference (``010190-1234-77``), and ten
digits whose first six are no date (``1234567890``).

``looks_like_cpr`` says whether a text holds one; ``redact`` replaces each with a
fixed marker, so an error message, a log line, a status file or a mail can name
the field without repeating the number; ``find_in_bytes`` gives the offsets of
each in a file's bytes, fast enough for every line of large books.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

REDACTED = "[CPR-like number removed]"

_DASHES = ("-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212")
_BLANK = "(?: |\t|\u00a0)"  # a space, a tab, a no-break space (pasted from a word processor)
# Written as alternations, not character classes, so that the UTF-8 encoding of
# the same pattern is a correct pattern over a file's bytes.
PATTERN = (
    r"(?<![0-9])(?<![0-9][.,-])"  # not inside a longer number, an amount or a reference
    r"(?P<d>[0-9]{2})(?P<s>[ .]?)(?P<m>[0-9]{2})(?P=s)(?P<y>[0-9]{2})"  # the date
    rf"{_BLANK}?(?:(?:{'|'.join(_DASHES)}){_BLANK}?)?"  # between: blank and/or a dash
    r"[0-9]{4}"  # the serial
    r"(?![0-9])(?![.,-][0-9])"  # not an amount's decimals, not a longer reference
)
CPR = re.compile(PATTERN)
CPR_BYTES = re.compile(PATTERN.encode("utf-8"))
# A first look at a file's bytes: every digit flattened to 0, then these found at C speed.
_FLAT = bytes.maketrans(b"123456789", b"000000000")
_SHAPES = re.compile(rb"0(?=00000|0 00 00|0\.00\.00)")  # overlapping: every place one begins


def real_date(day: int, month: int, year: int) -> bool:
    """Whether ``DD MM YY`` is a real day in the 1900s or the 2000s."""
    for century in (1900, 2000):
        try:
            datetime.date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


# A run of hexadecimal characters this long is a digest (a voucher's SHA-256, a bank
# line's key), not text a person typed: digits inside it are no CPR number.
DIGEST_RUN = 16
_HEX = frozenset(b"0123456789abcdefABCDEF")


def _in_digest(text: str | bytes, start: int, end: int) -> bool:
    """Whether text[start:end] lies inside a run of ``DIGEST_RUN`` or more hex characters."""
    def hexchar(i: int) -> bool:
        c = text[i]
        return (c if isinstance(c, int) else ord(c)) in _HEX
    if not all(hexchar(i) for i in range(start, end)):
        return False
    left, right = start, end
    while left > 0 and hexchar(left - 1):
        left -= 1
    while right < len(text) and hexchar(right):
        right += 1
    return right - left >= DIGEST_RUN and right - left > end - start


def _is_cpr(match: re.Match[str] | re.Match[bytes]) -> bool:
    return (real_date(int(match["d"]), int(match["m"]), int(match["y"]))
            and not _in_digest(match.string, match.start(), match.end()))


def looks_like_cpr(text: str) -> bool:
    """Whether *text* holds a CPR-looking number."""
    return any(_is_cpr(match) for match in CPR.finditer(text))


def redact(text: str) -> str:
    """*text* with every CPR-looking number replaced by ``REDACTED``."""
    return CPR.sub(lambda match: REDACTED if _is_cpr(match) else match.group(0), text)


def find_in_bytes(raw: bytes) -> Iterator[int]:
    """The offset of every CPR-looking number in *raw* (UTF-8 text), in order.

    A regular expression over a whole books file is slow (amounts and dates are
    full of digits), so the digits are first flattened to 0 and only the places
    where six digits in a row, or three groups of two, begin are looked at closely.
    """
    flat = raw.translate(_FLAT)
    for candidate in _SHAPES.finditer(flat):
        at = candidate.start()
        if at and flat[at - 1] == 48:  # 48 is b"0": inside a longer run of digits
            continue
        match = CPR_BYTES.match(raw, at)
        if match is not None and _is_cpr(match):
            yield at
