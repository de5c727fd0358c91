"""The bank statement importer, a beangulp ``Importer``.

``extract`` turns every bank line that matches nothing in the books into a
flagged transaction (``!``, ``#unreconciled``) between the bank account and
``Expenses:Municipality:<M>:Unreconciled`` for an officer to classify, and
closes with a ``balance`` assertion of the statement's closing balance, dated
the day after it (a CSV's last line, camt.053's ``CLBD``, MT940's ``:62F:``).  The
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

from grantpool.bank.formats import is_statement, read_file
from grantpool.bank.lines import BankLine
from grantpool.bank.matching import Matches, match
from grantpool.bank.model import Statement
from grantpool.bank.profiles import Profile, all_profiles
from grantpool.bank.reading import StatementError

ONE_DAY = datetime.timedelta(days=1)


def unreconciled_account(bank: str) -> str:
    """Assets:Municipality:X:Bank -> Expenses:Municipality:X:Unreconciled."""
    parts = bank.split(":")
    return ":".join(["Expenses", *parts[1:-1], "Unreconciled"])


class BankStatementImporter(Importer):  # type: ignore[misc]
    """One bank account's statements, in any format ``grantpool.bank.formats`` reads."""

    def __init__(self, bank: str, currency: str, days: int, encoding: str | None = None,
                 fmt: str | None = None, profiles: dict[str, Profile] | None = None):
        self.bank = bank
        self.currency = currency
        self.days = days
        self.encoding = encoding
        self.fmt = fmt
        self.profiles = profiles
        self.matches = Matches()
        self._read: dict[str, Statement] = {}

    @property
    def name(self) -> str:
        return f"grantpool.statement:{self.bank}"

    def identify(self, filepath: str) -> bool:
        return is_statement(Path(filepath))

    def account(self, filepath: str) -> str:
        return self.bank

    def statement(self, filepath: str) -> Statement:
        """The file's one statement (read once per importer)."""
        if filepath not in self._read:
            path = Path(filepath)
            given = self.profiles
            found = read_file(path, self.fmt, self.encoding,
                              lambda: given if given is not None else all_profiles(None))
            if len(found) != 1:
                raise StatementError(path, 1, f"holds {len(found)} statements; import it with "
                                              f"grantpool import, which books each to its "
                                              f"account")
            self._read[filepath] = found[0]
        return self._read[filepath]

    def lines(self, filepath: str) -> list[BankLine]:
        """The statement's lines, oldest first."""
        return self.statement(filepath).lines

    def remember(self, filepath: str, statement: Statement) -> None:
        """Use *statement*, already read from *filepath*, instead of reading it again."""
        self._read[filepath] = statement

    def date(self, filepath: str) -> datetime.date | None:
        return self.statement(filepath).closing.date

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        statement = self.statement(filepath)
        self.matches = match(statement.lines, list(existing), self.bank, self.days)
        new: list[data.Directive] = [self._entry(filepath, x) for x in self.matches.unmatched_bank]
        closing = statement.closing
        meta = data.new_metadata(filepath, closing.line)
        units = amount.Amount(closing.amount, self.currency)
        new.append(data.Balance(meta, closing.date + ONE_DAY, self.bank, units, None, None))
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
