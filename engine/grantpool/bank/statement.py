"""A municipality's bank statement in grantpool's own CSV shape (the ``generic`` profile).

Columns (the first line names them; order free, more columns ignored):

| column | required | what |
| --- | --- | --- |
| ``Dato`` | yes | booking date, ``dd-mm-yyyy`` |
| ``Tekst`` | yes | the bank's text (not copied into the books: it may name people) |
| ``Beløb`` | yes | amount, decimal comma, ``.`` as thousands separator: ``-1.500,00`` |
| ``Saldo`` | yes | the balance after the line, same format |
| ``Reference`` | no | the bank's reference for the line |

Fields are separated by ``;`` and may be quoted.  The file is UTF-8 (a BOM is
allowed) unless another encoding is named.  Other banks' CSV exports, camt.053
and MT940 are read by ``grantpool.bank.formats`` into the same lines.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from grantpool.bank.csvformat import read_csv
from grantpool.bank.lines import BankLine
from grantpool.bank.profiles import GENERIC, SHIPPED, load_profile
from grantpool.bank.reading import StatementError

__all__ = ["REQUIRED", "BankLine", "StatementError", "danish_number", "read_statement"]

REQUIRED = ("Dato", "Tekst", "Beløb", "Saldo")
COLUMNS = "Dato;Valør;Tekst;Beløb;Saldo;Reference"
NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$")
EXCERPT = 20


def danish_number(text: str) -> Decimal:
    """``-1.500,00`` -> Decimal("-1500.00"); anything else raises ValueError."""
    value = text.strip().replace("\u00a0", "")
    if not NUMBER.match(value):
        raise ValueError(f"'{text.strip()[:EXCERPT]}' is not a Danish amount like -1.500,00")
    return Decimal(value.replace(".", "").replace(",", "."))


def read_statement(path: Path, encoding: str = "utf-8-sig") -> list[BankLine]:
    """The statement's lines, oldest first, each ``Saldo`` checked against the running
    balance; raises ``StatementError`` (or a subclass) naming the line that failed."""
    generic = load_profile(SHIPPED / f"{GENERIC}.yaml")
    return read_csv(path, generic, encoding).lines
