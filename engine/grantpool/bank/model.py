"""One statement, whatever the bank delivered it as.

Every format (a CSV export described by a profile, camt.053, MT940) is read
into the same record: the bank account the statement names (an IBAN, when the
format carries one), its currency, its lines oldest first with the balance
after each, its opening and its closing balance.  Everything after reading —
the books' opening check, matching, leaving out what the books hold, the lock
and the write — is shared (``grantpool.bank.imports``).

Formats that give opening and closing balances instead of a running ``Saldo``
(camt.053, MT940) are turned into running balances here, and their closing
balance must be the opening plus every line, or the statement is refused.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from grantpool.bank.balances import danish
from grantpool.bank.lines import BankLine
from grantpool.bank.reading import DoesNotAddUp, StatementError

REFERENCE_MAX = 100


@dataclass(frozen=True)
class Entry:
    """A bank line as a format without running balances gives it."""

    line: int
    where: str  # an XML path or an MT940 tag, for messages
    date: datetime.date
    amount: Decimal
    text: str  # the bank's free text: only ever part of a digest, never in the books
    reference: str  # the bank's own reference of the entry, or ""
    end_to_end: str = ""  # the payer's end-to-end id, or ""


@dataclass(frozen=True)
class Closing:
    line: int
    date: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class Statement:
    path: Path
    lines: list[BankLine]  # oldest first, each with the balance after it
    opening: Decimal
    closing: Closing
    iban: str | None = None  # the account the statement names, when the format tells
    currency: str | None = None
    line: int = 1  # where the statement starts in its file
    where: str = ""  # its XML path or MT940 :20:, when a file holds several
    formats: tuple[str, ...] = field(default=())  # what it was read as, e.g. ("camt053",)
    opening_line: int = 0  # where the opening balance is (a CSV: its first line)

    @property
    def name(self) -> str:
        return f"{self.path.name} {self.where}".strip()


def from_running(path: Path, lines: list[BankLine], fmt: str) -> Statement:
    """A CSV statement: its lines carry their balances (already checked)."""
    last = lines[-1]
    return Statement(path, lines, lines[0].balance - lines[0].amount,
                     Closing(last.line, last.date, last.balance), formats=(fmt,),
                     opening_line=lines[0].line)


def key_of(entry: Entry) -> str:
    """The matching key: the bank's own reference, else the end-to-end id."""
    if entry.reference:
        return entry.reference
    if entry.end_to_end and entry.end_to_end.upper() not in ("NOTPROVIDED", "NONREF"):
        return entry.end_to_end
    return ""


def check_reference(path: Path, line: int, where: str, reference: str) -> None:
    if len(reference) > REFERENCE_MAX or any(unicodedata.category(c) == "Cc"
                                             for c in reference):
        raise StatementError(path, line, f"{where}: the reference is longer than "
                                         f"{REFERENCE_MAX} characters or holds a control "
                                         f"character; a bank reference is one short word")


def with_balances(path: Path, entries: list[Entry], opening: Decimal, closing: Closing,
                  where: str) -> list[BankLine]:
    """*entries* oldest first (in file order within a day) with the running balance from
    *opening*; refused when they do not reach *closing*, or one bank reference names
    two entries."""
    seen: dict[str, int] = {}
    for entry in entries:
        check_reference(path, entry.line, entry.where, key_of(entry))
        if entry.reference and entry.reference in seen:
            raise StatementError(path, entry.line, f"{entry.where}: the bank's entry reference "
                                                   f"appears twice (also at line "
                                                   f"{seen[entry.reference]}); an entry is "
                                                   f"listed once: ask the bank for a new export")
        if entry.reference:
            seen[entry.reference] = entry.line
    ordered = sorted(entries, key=lambda e: e.date)
    if ordered and closing.date < ordered[-1].date:
        raise StatementError(path, closing.line, f"{where}: the closing balance is dated "
                                                 f"{closing.date:%d-%m-%Y}, before the last "
                                                 f"entry ({ordered[-1].date:%d-%m-%Y})")
    balance, lines = opening, []
    for entry in ordered:
        balance += entry.amount
        lines.append(BankLine(entry.line, entry.date, entry.text, entry.amount, balance,
                              key_of(entry)))
    if balance != closing.amount:
        raise DoesNotAddUp(path, closing.line, (
            f"{where}: the closing balance {danish(closing.amount)} is not the opening "
            f"balance {danish(opening)} plus the entries ({danish(balance - opening)}) = "
            f"{danish(balance)}; the statement does not add up: ask the bank for a new export"))
    return lines
