"""A municipality's bank statement in the usual Danish CSV shape.

Columns (the first line names them; order free, more columns ignored):

| column | required | what |
| --- | --- | --- |
| ``Dato`` | yes | booking date, ``dd-mm-yyyy`` |
| ``Tekst`` | yes | the bank's text (not copied into the books: it may name people) |
| ``Beløb`` | yes | amount, decimal comma, ``.`` as thousands separator: ``-1.500,00`` |
| ``Saldo`` | yes | the balance after the line, same format |
| ``Reference`` | no | the bank's reference for the line |

Fields are separated by ``;`` and may be quoted.  The file is UTF-8 (a BOM is
allowed) unless another encoding is named.  Any bad line refuses the whole file.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REQUIRED = ("Dato", "Tekst", "Beløb", "Saldo")
NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")


class StatementError(ValueError):
    """The statement cannot be read; ``line`` is the 1-based line that failed."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}; the statement was not imported")
        self.line = line


@dataclass(frozen=True)
class BankLine:
    line: int
    date: datetime.date
    text: str
    amount: Decimal
    balance: Decimal
    reference: str

    @property
    def key(self) -> str:
        """A stable id of the line: the bank's reference, else a digest of the line."""
        if self.reference:
            return self.reference
        digest = hashlib.sha256(f"{self.date}|{self.text}|{self.amount}|{self.balance}"
                                .encode()).hexdigest()
        return f"sha256:{digest[:16]}"


def danish_number(text: str) -> Decimal:
    """``-1.500,00`` -> Decimal("-1500.00"); anything else raises ValueError."""
    value = text.strip().replace("\u00a0", "")
    if not NUMBER.match(value):
        raise ValueError(f"'{text}' is not a Danish amount like -1.500,00")
    return Decimal(value.replace(".", "").replace(",", "."))


def read_statement(path: Path, encoding: str = "utf-8-sig") -> list[BankLine]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StatementError(path, 0, f"cannot read it ({exc.strerror})") from exc
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StatementError(path, line, f"not {encoding} text at byte {exc.start}; name the "
                                         f"file's encoding with --encoding") from exc
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows:
        raise StatementError(path, 1, "empty file")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise StatementError(path, 1, f"missing column(s) {', '.join(missing)}; the columns "
                                      f"are {';'.join(REQUIRED)};Reference")
    at = {name: header.index(name) for name in header}
    return [_line(path, number, row, at) for number, row in enumerate(rows[1:], 2) if any(row)]


def _line(path: Path, number: int, row: list[str], at: dict[str, int]) -> BankLine:
    if len(row) < len(at):
        raise StatementError(path, number, f"{len(row)} fields, the header has {len(at)}")
    try:
        day = datetime.datetime.strptime(row[at["Dato"]].strip(), "%d-%m-%Y").date()
        amount = danish_number(row[at["Beløb"]])
        balance = danish_number(row[at["Saldo"]])
    except ValueError as exc:
        raise StatementError(path, number, str(exc)) from exc
    reference = row[at["Reference"]].strip() if "Reference" in at else ""
    return BankLine(number, day, row[at["Tekst"]].strip(), amount, balance, reference)
