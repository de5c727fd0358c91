"""The CPR rule catches the spellings people type, and passes amounts, ISO dates,
phone numbers and bank references; the text check, the redaction and the
privacy rule's scan of the books' bytes agree, because they share one pattern."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from grantpool.books.loading import load
from grantpool.privacy.cpr import REDACTED, find_in_bytes, looks_like_cpr, redact
from tests.rulebooks import books
from tests.ruletools import findings

# Synthetic numbers only: 1 January 1990, serial 1234.
CPR_SPELLINGS = [
    "0101901234",
    "010190-1234",
    "010190 1234",          # a space
    "010190\u20131234",     # an en dash
    "010190\u20141234",     # an em dash
    "010190\u22121234",     # a minus sign
    "010190 - 1234",        # a dash between spaces
    "010190\u00a01234",     # a no-break space, pasted from a word processor
    "01.01.90-1234",        # dots
    "01.01.90 1234",
    "01 01 90 1234",        # grouped
    "01 01 90-1234",
    "cpr:010190-1234.",     # run into words and a full stop
]

NOT_CPR = [
    "1500.00",              # amounts
    "123456.78",
    "0101901234.00",
    "0101901234,50",
    "1.0101901234",
    "2019-01-01",           # ISO dates, alone or before a number
    "2019-01-01 1234",
    "20190101 1234",
    "+45 12 34 56 78",      # phone numbers
    "12345678",
    "+45 1234 5678",
    "1234567890",           # bank references that are no date
    "4021983311",
    "REF 2018-06-01 99",
    "12345678901",          # too long
    "010190-1234-77",       # a longer reference
    "320190-1234",          # no such day
    "290201-1234",          # 29 February 1901 and 2001 do not exist
    "01 0190 1234",         # groups that are not a date's
]


@pytest.mark.parametrize("text", CPR_SPELLINGS)
def test_privacy__every_spelling_people_type_is_found_and_redacted(text: str) -> None:
    assert looks_like_cpr(text)
    assert looks_like_cpr(f"Glasses for {text} paid")
    redacted = redact(f"ref {text} ok")
    assert REDACTED in redacted and "1234" not in redacted and redacted.endswith(" ok")
    assert list(find_in_bytes(f"; {text}\n".encode())) == [2 + text.find("01")]


@pytest.mark.parametrize("text", NOT_CPR)
def test_privacy__amounts_dates_phones_and_references_are_passed(text: str) -> None:
    assert not looks_like_cpr(text)
    assert redact(text) == text
    assert list(find_in_bytes(f"; {text}\n".encode())) == []


def test_privacy__the_books_scan_finds_each_spelling_at_its_line(
    write_doc: Callable[[str], Path],
) -> None:
    comments = "".join(f"\n; case {n}: {text}" for n, text in enumerate(CPR_SPELLINGS))
    comments += "".join(f"\n; fine: {text}" for text in NOT_CPR)
    path = write_doc(books(comments + "\n"))
    found = [f for f in findings(load(path)) if f.rule == "cpr"]
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = [i + 1 for i, line in enumerate(lines) if line.startswith("; case")]
    assert [f.source["lineno"] for f in found] == expected
    assert all(f.source["filename"] == str(path) for f in found)
    assert not any(ch.isdigit() for f in found for ch in f.message)


def test_privacy__two_numbers_on_one_line_are_one_finding(
    write_doc: Callable[[str], Path],
) -> None:
    path = write_doc(books("\n; 010190 1234 and 01.01.90-1234\n"))
    assert [f.rule for f in findings(load(path))] == ["cpr"]


def test_cpr__digits_inside_a_hex_digest_are_no_cpr_number() -> None:
    """A voucher's SHA-256 or a bank line's key may hold ten digits that read as a date
    (found by the example books with vouchers); a person's typed number is still caught."""
    digest = "ddde8dc68c3a13104e90f37960cac345dd0acc1aa4eea2912276190e0a7315e0"
    assert not looks_like_cpr(digest)
    assert list(find_in_bytes(f'  voucher_sha256: "{digest}"\n'.encode())) == []
    assert looks_like_cpr("ref 2912276190") and looks_like_cpr("a2912276190")
