"""``grantpool import``: a bank statement into the books, once.

Reads the whole statement first (any bad line refuses it all, before the books
are touched).  Then, holding the books' lock from the first read of the books
to the last write: loads them, checks the account is one of their banks and
that the statement opens at their balance of it, matches its lines one to one
(``grantpool.bank.matching``), and appends what is new (bank lines no entry
matched, the closing balance) to the file where the bank account is opened.
Two imports of one statement at once therefore book it once.  Nothing is
written when the statement is bad or nothing is new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import printer

from grantpool.bank.balances import check_opening
from grantpool.bank.importer import BankStatementImporter
from grantpool.bank.matching import Matches
from grantpool.bank.statement import read_statement
from grantpool.books import chart as acc
from grantpool.books.loading import check_readable
from grantpool.books.opening import open_books
from grantpool.books.roles import roles
from grantpool.books.writing import append_locked, books_lock
from grantpool.generate.books import slug
from grantpool.privacy.cpr import redact

BANK_ROLES = ("pool_bank", "muni_bank")


class NoBankAccount(ValueError):
    """The statement's bank account is not given and cannot be told from its name, or
    what was given is not a bank account of the books."""


@dataclass
class ImportResult:
    statement: Path
    bank: str
    target: Path | None
    matches: Matches
    added: list[data.Directive] = field(default_factory=list)


def bank_for(statement: Path, entries: list[Any]) -> str:
    """The bank account whose municipality's name (or 'pool') is in the file name."""
    stem = statement.stem.lower()
    munis = {e.meta.get("municipality") for e in entries
             if isinstance(e, data.Open) and e.account.endswith(":Bank")}
    found = [m for m in munis if isinstance(m, str) and slug(m) in stem]
    if len(found) == 1:
        return acc.muni_bank(found[0])
    if "pool" in stem and not found:
        return acc.POOL_BANK
    raise NoBankAccount(f"{statement}: cannot tell the bank account from the file name; "
                        f"pass --account (e.g. {acc.muni_bank('Aarhus')})")


def bank_accounts(entries: list[Any]) -> list[str]:
    """The books' bank accounts: those opened as the pool's or a municipality's bank."""
    return sorted(a for a, r in roles(entries).items() if r.role in BANK_ROLES)


def bank_account(ledger: Path, given: str | None, statement: Path, entries: list[Any]) -> str:
    """*given* if it is a bank account of the books, else the one the file name tells."""
    account = given if given is not None else bank_for(statement, entries)
    banks = bank_accounts(entries)
    if account not in banks:
        shown = redact(repr(account[:80]))
        example = ", ".join(banks[:3]) + (", …" if len(banks) > 3 else "")
        raise NoBankAccount(f"{shown}: not a bank account of {ledger}; pass --account one of "
                            f"its bank accounts ({example or 'none is opened'})")
    return account


def import_statement(ledger: Path, statement: Path, bank: str | None, days: int,
                     encoding: str = "utf-8-sig") -> ImportResult:
    lines = read_statement(statement, encoding)
    check_readable(ledger)
    with books_lock(ledger.parent):
        books = open_books(ledger, datetime.date.today())
        account = bank_account(ledger, bank, statement, books.entries)
        check_opening(statement, lines[0], books.entries, account)
        importer = BankStatementImporter(account, books.rules.pool.currency, days, encoding)
        importer.remember(str(statement), lines)
        extracted = importer.extract(str(statement), books.entries)
        importer.deduplicate(extracted, books.entries)
        new = [e for e in extracted if not e.meta.get("__duplicate__")]
        opened = next(e for e in books.entries
                      if isinstance(e, data.Open) and e.account == account)
        target = Path(opened.meta["filename"])
        result = ImportResult(statement, account, target, importer.matches, new)
        if new:
            _ensure_open(new, books.entries, account, books.rules.pool.currency)
            text = "\n".join(printer.format_entry(e) for e in new)
            header = f";; Imported from {_printable(statement.name)} by grantpool import\n"
            append_locked(ledger, target, header + text)
    return result


def _printable(name: str) -> str:
    """A file name fit for a comment line in the books: one line, no CPR-like number."""
    return redact("".join(c if c.isprintable() else "?" for c in name))


def _ensure_open(new: list[data.Directive], entries: list[Any], bank: str, currency: str) -> None:
    """Open the Unreconciled account before its first use, if the books have not."""
    used = [e for e in new if isinstance(e, data.Transaction)]
    if not used:
        return
    account = used[0].postings[1].account
    if any(isinstance(e, data.Open) and e.account == account for e in entries):
        return
    muni = next((e.meta.get("municipality") for e in entries
                 if isinstance(e, data.Open) and e.account == bank), None)
    meta = data.new_metadata("<import>", 0, {"municipality": muni} if muni else None)
    first = min(e.date for e in used)
    new.insert(0, data.Open(meta, first, account, [currency], None))
