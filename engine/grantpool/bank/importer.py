"""The bank statement importer, a beangulp ``Importer``.

``extract`` turns every bank line that matches nothing in the books into a
flagged transaction (``!``, ``#unreconciled``) between the bank account and
``Expenses:Municipality:<M>:Unreconciled`` for an officer to classify, and
closes with a ``balance`` assertion of the statement's last balance.  The
bank's text is not copied (it may name people): ``bank_ref`` ties the entry to
the statement line.  ``deduplicate`` marks what the books already hold, by
the balance assertion; a bank line the books already hold is matched (by its
``bank_ref``, one to one: ``grantpool.bank.matching``) and so never extracted,
and importing a file twice adds nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from beancount.core import amount, data
from beangulp import Importer

from grantpool.bank.matching import Matches, match
from grantpool.bank.statement import BankLine, read_statement

ONE_DAY = datetime.timedelta(days=1)


def unreconciled_account(bank: str) -> str:
    """Assets:Municipality:X:Bank -> Expenses:Municipality:X:Unreconciled."""
    parts = bank.split(":")
    return ":".join(["Expenses", *parts[1:-1], "Unreconciled"])


class BankStatementImporter(Importer):  # type: ignore[misc]
    def __init__(self, bank: str, currency: str, days: int, encoding: str = "utf-8-sig"):
        self.bank = bank
        self.currency = currency
        self.days = days
        self.encoding = encoding
        self.matches = Matches()
        self._read: dict[str, list[BankLine]] = {}

    @property
    def name(self) -> str:
        return f"grantpool.statement:{self.bank}"

    def identify(self, filepath: str) -> bool:
        return filepath.lower().endswith(".csv")

    def account(self, filepath: str) -> str:
        return self.bank

    def lines(self, filepath: str) -> list[BankLine]:
        """The statement's lines, oldest first (read once per importer)."""
        if filepath not in self._read:
            self._read[filepath] = read_statement(Path(filepath), self.encoding)
        return self._read[filepath]

    def remember(self, filepath: str, lines: list[BankLine]) -> None:
        """Use *lines*, already read from *filepath*, instead of reading it again."""
        self._read[filepath] = lines

    def date(self, filepath: str) -> datetime.date | None:
        lines = self.lines(filepath)
        return lines[-1].date if lines else None

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        lines = self.lines(filepath)
        self.matches = match(lines, list(existing), self.bank, self.days)
        new: list[data.Directive] = [self._entry(filepath, x) for x in self.matches.unmatched_bank]
        if lines:
            last = lines[-1]
            meta = data.new_metadata(filepath, last.line)
            units = amount.Amount(last.balance, self.currency)
            new.append(data.Balance(meta, last.date + ONE_DAY, self.bank, units, None, None))
        return new

    def _entry(self, filepath: str, line: BankLine) -> data.Transaction:
        meta = data.new_metadata(filepath, line.line)
        meta["bank_ref"] = line.key
        post = [
            data.Posting(self.bank, amount.Amount(line.amount, self.currency), None, None, None,
                         None),
            data.Posting(unreconciled_account(self.bank),
                         amount.Amount(-line.amount, self.currency), None, None, None, None),
        ]
        return data.Transaction(meta, line.date, "!", None,
                                f"Unmatched bank line {line.key}: classify it", frozenset(
                                    {"unreconciled"}), frozenset(), post)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark a closing balance the books already assert.  Transactions need no mark:
        ``extract`` made them only for lines no entry of the books matched (two bank
        lines may share a reference; each is booked)."""
        balances = {(e.date, e.account, e.amount.number) for e in existing
                    if isinstance(e, data.Balance)}
        for entry in entries:
            if isinstance(entry, data.Balance) and (
                    entry.date, entry.account, entry.amount.number) in balances:
                entry.meta["__duplicate__"] = True


def total(lines: list[BankLine]) -> Decimal:
    return sum((x.amount for x in lines), Decimal(0))
