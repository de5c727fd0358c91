"""``grantpool import``: a bank statement into the books, once.

Loads the books, reads the whole statement (any bad line refuses it all), runs
the beangulp importer, drops what the books already hold, and appends the rest
(unmatched bank lines, the closing balance) to the file where the bank account
is opened.  Nothing is written when the statement is bad or nothing is new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import printer

from grantpool.bank.importer import BankStatementImporter
from grantpool.bank.matching import Matches
from grantpool.books import chart as acc
from grantpool.books.opening import open_books
from grantpool.books.writing import append
from grantpool.generate.books import slug


class NoBankAccount(ValueError):
    """The statement's bank account is not given and cannot be told from its name."""


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


def import_statement(ledger: Path, statement: Path, bank: str | None, days: int,
                     encoding: str = "utf-8-sig") -> ImportResult:
    books = open_books(ledger, datetime.date.today())
    account = bank or bank_for(statement, books.entries)
    opened = [e for e in books.entries if isinstance(e, data.Open) and e.account == account]
    if not opened:
        raise NoBankAccount(f"{account}: no such account is opened in {ledger}")
    importer = BankStatementImporter(account, books.rules.pool.currency, days, encoding)
    extracted = importer.extract(str(statement), books.entries)
    importer.deduplicate(extracted, books.entries)
    new = [e for e in extracted if not e.meta.get("__duplicate__")]
    target = Path(opened[0].meta["filename"])
    result = ImportResult(statement, account, target, importer.matches, new)
    if new:
        _ensure_open(new, books.entries, account, books.rules.pool.currency)
        text = "\n".join(printer.format_entry(e) for e in new)
        header = f";; Imported from {statement.name} by grantpool import\n"
        append(ledger, target, header + text)
    return result


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
