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
allowed) unless another encoding is named.  Any bad line refuses the whole
file: a malformed one (``grantpool.bank.reading``), a CPR-like number in any
field, a ``Saldo`` that is not the running balance (``grantpool.bank.balances``).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grantpool.bank import balances, reading
from grantpool.bank.reading import PersonalData, StatementError
from grantpool.privacy.cpr import looks_like_cpr

__all__ = ["REQUIRED", "BankLine", "StatementError", "danish_number", "read_statement"]

REQUIRED = ("Dato", "Tekst", "Beløb", "Saldo")
COLUMNS = "Dato;Valør;Tekst;Beløb;Saldo;Reference"
NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")
YEARS = (1900, 2999)
REFERENCE_MAX = 100
EXCERPT = 20


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
        raise ValueError(f"'{text.strip()[:EXCERPT]}' is not a Danish amount like -1.500,00")
    return Decimal(value.replace(".", "").replace(",", "."))


def read_statement(path: Path, encoding: str = "utf-8-sig") -> list[BankLine]:
    """The statement's lines, oldest first, each ``Saldo`` checked against the running
    balance; raises ``StatementError`` (or a subclass) naming the line that failed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StatementError(path, 0, f"cannot read it ({exc.strerror})") from exc
    rows = [(n, row) for n, row in reading.rows(path, reading.decode(path, raw, encoding))
            if any(field.strip() for field in row)]
    if not rows:
        raise StatementError(path, 1, f"empty file; a statement starts with the line {COLUMNS}")
    number, first = rows[0]
    header = [h.strip().lstrip("\ufeff").strip() for h in first]
    _no_cpr(path, number, first, [])  # a header cell may be the number itself
    at = _columns(path, number, header)
    lines = []
    for number, row in rows[1:]:
        _no_cpr(path, number, row, header)
        if [f.strip().lstrip("\ufeff").strip() for f in row] == header:
            raise StatementError(path, number, f"repeats the header of line {rows[0][0]}; a "
                                               f"statement has one header (were two files "
                                               f"joined?)")
        lines.append(_line(path, number, row, len(header), at))
    if not lines:
        raise StatementError(path, rows[0][0], "only the header, no bank lines after it; "
                                               "export the statement again")
    return balances.running(path, lines)


def _columns(path: Path, number: int, header: list[str]) -> dict[str, int]:
    named = [h for h in header if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise StatementError(path, number, f"column(s) {', '.join(twice)} named twice; "
                                           f"name each column once")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise StatementError(path, number, f"missing column(s) {', '.join(missing)}; the "
                                           f"columns are {COLUMNS}")
    return {name: header.index(name) for name in named}


def _no_cpr(path: Path, number: int, row: list[str], header: list[str]) -> None:
    for index, field in enumerate(row):
        if looks_like_cpr(field):
            name = header[index] if index < len(header) and header[index] else ""
            column = f"column {index + 1}" + (f" ({name})" if name else "")
            raise PersonalData(path, number, f"{column} holds a CPR-like number; remove it "
                                             f"from the statement (the books never hold CPR "
                                             f"numbers) and import it again")


def _line(path: Path, number: int, row: list[str], width: int, at: dict[str, int]) -> BankLine:
    if len(row) != width:
        raise StatementError(path, number, f"{len(row)} fields, the header has {width} (a ';' "
                                           f"inside a field must be quoted: \"a;b\")")
    try:
        day = _date(row[at["Dato"]])
        amount = danish_number(row[at["Beløb"]])
        balance = danish_number(row[at["Saldo"]])
    except ValueError as exc:
        raise StatementError(path, number, str(exc)) from exc
    reference = row[at["Reference"]].strip() if "Reference" in at else ""
    if len(reference) > REFERENCE_MAX or any(unicodedata.category(c) == "Cc"
                                             for c in reference):
        raise StatementError(path, number, f"the Reference is longer than {REFERENCE_MAX} "
                                           f"characters or holds a control character (a line "
                                           f"break, a tab); a bank reference is one short word")
    return BankLine(number, day, row[at["Tekst"]].strip(), amount, balance, reference)


def _date(text: str) -> datetime.date:
    value = text.strip()
    try:
        day = datetime.datetime.strptime(value, "%d-%m-%Y").date()
    except ValueError:
        raise ValueError(f"Dato '{value[:EXCERPT]}' is not a date like 08-02-2018 "
                         f"(dd-mm-yyyy)") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"Dato {value} is not within the years {YEARS[0]}-{YEARS[1]}")
    return day
