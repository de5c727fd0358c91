"""Bank statements in the Danish CSV shape, made from the books for tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from grantpool.bank.matching import candidates
from grantpool.books.banks import bank_changes
from grantpool.books.loading import load

HEADER = "Dato;Valør;Tekst;Beløb;Saldo;Reference"


def danish(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def number(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def statement_lines(ledger: Path, bank: str, first: datetime.date, last: datetime.date,
                    extra: list[tuple[datetime.date, Decimal, str]] = ()) -> list[str]:
    """The bank's lines for the days first..last as the books have them, plus *extra*."""
    entries, _, _ = load(ledger)
    moves = [(t.date, bank_changes(t, {bank})[bank], "") for t in candidates(entries, bank)]
    balance = sum((a for d, a, _ in moves if d < first), Decimal(0))
    rows = [HEADER]
    period = sorted([m for m in moves if first <= m[0] <= last] + list(extra),
                    key=lambda m: m[0])
    for number, (day, amount, reference) in enumerate(period, 1):
        balance += amount
        ref = reference or f"REF-{day:%y%m}-{number:03d}"
        rows.append(f"{day:%d-%m-%Y};{day:%d-%m-%Y};Betaling;{danish(amount)};"
                    f"{danish(balance)};{ref}")
    return rows


def rebalance(rows: list[str]) -> list[str]:
    """*rows* (header first) with every Saldo the running balance from the first line's
    opening, as a bank would print them after a line was taken out or changed."""
    fields = [row.split(";") for row in rows[1:]]
    balance = number(fields[0][4]) - number(fields[0][3])
    out = [rows[0]]
    for field in fields:
        balance += number(field[3])
        out.append(";".join([*field[:4], danish(balance), *field[5:]]))
    return out


def write(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(rows) + "\n", encoding=encoding)
    return path
