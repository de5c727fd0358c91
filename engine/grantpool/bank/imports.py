"""``grantpool import``: a bank statement into the books, once.

Reads the whole statement first (any bad line refuses it all, before the books
are touched).  Then, holding the books' lock from the first read of the books
to the last write: loads them, checks the account is one of their banks and
that the statement opens at their balance of it, matches its lines one to one
(``grantpool.bank.matching``), and appends what is new (bank lines no entry
matched, the closing balance) to the file where the bank account is opened.
Two imports of one statement at once therefore book it once.  Nothing is
written when the statement is bad or nothing is new.

A file may hold several statements (camt.053 and MT940 can): each goes to the
bank account its IBAN names (``grantpool.bank.accounts``), all are read and
checked before anything is written, and a later one of the same account is
checked against the books as the earlier one leaves them.

On a federation (its folder, or its consolidated main file) each statement goes
to its entity's own books (``grantpool.bank.routing``: found from the text of the
entities' files, without loading any books); only those books are loaded,
judged, locked (the lock in the entity's own folder) and written.  Given an
entity's own main file, the import treats it as one set of books.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser import printer

from grantpool.bank.accounts import (
    NoBankAccount,
    account_for,
    bank_account,
    bank_accounts,
    bank_for,
)
from grantpool.bank.balances import check_opening
from grantpool.bank.formats import read_file
from grantpool.bank.importer import BankStatementImporter
from grantpool.bank.matching import Matches
from grantpool.bank.model import Statement
from grantpool.bank.profiles import all_profiles
from grantpool.bank.reading import StatementError
from grantpool.bank.routing import entity_for
from grantpool.books.loading import check_readable
from grantpool.books.opening import open_books
from grantpool.books.writing import append_locked, books_locks
from grantpool.entry.route import lock_folders
from grantpool.federation.discover import find
from grantpool.federation.layout import MAIN
from grantpool.privacy.cpr import redact

__all__ = ["ImportResult", "NoBankAccount", "bank_account", "bank_accounts", "bank_for",
           "import_statement"]


@dataclass
class ImportResult:
    statement: Path
    bank: str
    target: Path | None
    matches: Matches
    added: list[data.Directive] = field(default_factory=list)
    where: str = ""  # which statement of the file (an XML path, an MT940 :20:), if several


def import_statement(ledger: Path, statement: Path, bank: str | None, days: int,
                     encoding: str | None = None, fmt: str | None = None,
                     profiles: tuple[Path, ...] = ()) -> list[ImportResult]:
    """Import every statement of the file *statement* (in any format
    ``grantpool.bank.formats`` reads), each to its bank account; all or none of them.

    *ledger* is one set of books (any main file, an entity's own included), or a
    federation (its folder or consolidated main file): there each statement goes to
    its entity's own books (``grantpool.bank.routing``), and only those are loaded,
    locked and written."""
    federation = find(ledger)
    base = ledger if federation is None else federation.root / MAIN
    statements = read_file(statement, fmt, encoding, lambda: all_profiles(base, profiles))
    if federation is None:
        targets = [ledger] * len(statements)
    else:
        targets = [entity_for(federation, ledger, bank, one.path, one.line, one.iban).main
                   for one in statements]
    folders = lock_folders(federation, *(main.parent for main in targets))
    return _import(statement, list(zip(targets, statements, strict=True)), folders, bank, days)


def _import(statement: Path, planned: list[tuple[Path, Statement]], folders: list[Path],
            bank: str | None, days: int) -> list[ImportResult]:
    """Each (books' main file, statement) of *planned*: the locks of *folders* (in the
    one order every writer takes them, ``grantpool.entry.route.lock_folders``, so two
    writers never wait on each other) held from the first read of the books to the last
    write; nothing is written unless every statement is accepted."""
    mains = sorted({main for main, _ in planned})
    for main in mains:
        check_readable(main)
    with books_locks(folders):
        books = {main: open_books(main, datetime.date.today()) for main in mains}
        entries = {main: list(books[main].entries) for main in mains}
        results = []
        for main, one in planned:
            result = _plan(main, one, bank, days, entries[main],
                           books[main].rules.pool.currency)
            entries[main] += result.added
            results.append((main, result))
        for main, result in results:
            if result.added and result.target is not None:
                text = "\n".join(printer.format_entry(e) for e in result.added)
                header = f";; Imported from {_printable(statement.name)} by grantpool import\n"
                append_locked(main, result.target, header + text)
    return [result for _, result in results]


def _plan(ledger: Path, statement: Statement, bank: str | None, days: int,
          entries: list[Any], currency: str) -> ImportResult:
    """What importing *statement* adds to books holding *entries* (nothing written)."""
    path = statement.path
    account = account_for(ledger, bank, path, statement.line, statement.iban, entries)
    if statement.currency and statement.currency != currency:
        raise StatementError(path, statement.line, f"{statement.where or 'the statement'} is "
                                                   f"in {statement.currency[:3]!r}, the books "
                                                   f"in {currency}")
    check_opening(path, statement, entries, account)
    importer = BankStatementImporter(account, currency, days)
    importer.remember(str(path), statement)
    extracted = importer.extract(str(path), entries)
    importer.deduplicate(extracted, entries)
    new = [e for e in extracted if not e.meta.get("__duplicate__")]
    opened = next(e for e in entries if isinstance(e, data.Open) and e.account == account)
    if new:
        _ensure_open(new, entries, account, currency)
    return ImportResult(path, account, Path(opened.meta["filename"]), importer.matches, new,
                        statement.where)


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
