"""Does a statement add up?  Within itself: every ``Saldo`` is the ``Saldo`` before it
plus the line's ``Beløb``.  Against the books: the statement opens (first ``Saldo`` minus
``Beløb``) at the balance the books' postings give its bank account on that day,
whenever the books have asserted a balance of that account on or before it.

The books' balance is summed from postings, not read from the last assertion:
entries booked after the last statement (a purchase paid last week) are part of
what the bank must open with.  Books with no assertion yet for the account are
not compared: the first statement is what ties them (its closing balance is
asserted, and ``grantpool check`` judges it).
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from grantpool.bank.reading import DoesNotAddUp, StatementError
from grantpool.books.banks import bank_changes
from grantpool.privacy.cpr import redact

if TYPE_CHECKING:
    from grantpool.bank.lines import BankLine
    from grantpool.bank.model import Statement


def danish(amount: Decimal) -> str:
    """Decimal("-1500") -> ``-1.500,00``, as the bank writes it."""
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def running(path: Path, lines: list[BankLine]) -> list[BankLine]:
    """*lines* oldest first (a newest-first file is turned round), their dates in order
    and every ``Saldo`` the running balance; else ``StatementError`` at the first line
    that is not."""
    ordered = _oriented(lines)
    for before, after in itertools.pairwise(ordered):
        if after.date < before.date:
            raise StatementError(path, after.line, f"dated {after.date:%d-%m-%Y}, out of date "
                                                   f"order with line {before.line}; a statement "
                                                   f"lists its lines by date")
        expected = before.balance + after.amount
        if after.balance != expected:
            raise DoesNotAddUp(path, after.line, redact(
                f"Saldo {danish(after.balance)} is not the Saldo of line {before.line} "
                f"({danish(before.balance)}) plus this line's Beløb ({danish(after.amount)}) "
                f"= {danish(expected)}; the statement does not add up: ask the bank for a "
                f"new export"))
    return ordered


def _oriented(lines: list[BankLine]) -> list[BankLine]:
    backwards = lines[::-1]
    if lines[0].date != lines[-1].date:
        return backwards if lines[0].date > lines[-1].date else lines
    return backwards if _adds_up(backwards) and not _adds_up(lines) else lines


def _adds_up(lines: list[BankLine]) -> bool:
    return all(b.balance + a.amount == a.balance
               for b, a in itertools.pairwise(lines))


def books_balance(entries: list[Any], bank: str, day: datetime.date) -> Decimal:
    """What the books' postings give *bank* (and its envelopes) at the start of *day*."""
    memo: dict[str, str | None] = {}
    return sum((bank_changes(e, {bank}, memo).get(bank, Decimal(0)) for e in entries
                if isinstance(e, data.Transaction) and e.date < day), Decimal(0))


def last_assertion(entries: list[Any], bank: str, day: datetime.date) -> data.Balance | None:
    """The books' last ``balance`` of *bank* dated on or before *day*."""
    asserted = [e for e in entries if isinstance(e, data.Balance) and e.account == bank
                and e.date <= day]
    return max(asserted, key=lambda e: e.date, default=None)


def check_opening(path: Path, statement: Statement, entries: list[Any], bank: str) -> None:
    """Refuse a statement that does not open at the books' balance of *bank* on its first
    day (when the books have asserted one on or before it)."""
    lines = statement.lines
    day = lines[0].date if lines else statement.closing.date
    last = last_assertion(entries, bank, day)
    if last is None:
        return
    opening = statement.opening
    books = books_balance(entries, bank, day)
    if opening != books:
        how = "this line's Saldo - Beløb" if statement.formats[0].startswith("csv") \
            else "its opening balance"
        raise DoesNotAddUp(path, statement.opening_line, redact(
            f"the statement opens at {danish(opening)} ({how}) but the "
            f"books give {bank} {danish(books)} on {day:%d-%m-%Y} (last asserted "
            f"{last.date:%d-%m-%Y}); import the statements in between first, or book what "
            f"the books are missing"))
