"""Match bank lines to the books: each line to at most one transaction that
changes the same bank by the same amount, dated within some days of it; a
transaction whose ``bank_ref`` metadata is the line's reference matches first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from beancount.core import data

from grantpool.bank.statement import BankLine
from grantpool.books.banks import bank_changes


@dataclass
class Matches:
    matched: list[tuple[BankLine, data.Transaction]] = field(default_factory=list)
    unmatched_bank: list[BankLine] = field(default_factory=list)
    unmatched_books: list[data.Transaction] = field(default_factory=list)


def candidates(entries: list[data.Directive], bank: str) -> list[data.Transaction]:
    """The transactions that change *bank*'s balance."""
    return [e for e in entries
            if isinstance(e, data.Transaction) and bank in bank_changes(e, {bank})]


def match(lines: list[BankLine], entries: list[data.Directive], bank: str,
          days: int) -> Matches:
    pool = candidates(entries, bank)
    used: set[int] = set()
    result = Matches()
    by_ref = {e.meta.get("bank_ref"): e for e in pool if e.meta.get("bank_ref")}
    for line in lines:
        found = by_ref.get(line.key)
        if found is None or id(found) in used:
            found = _nearest(line, pool, bank, days, used)
        if found is None:
            result.unmatched_bank.append(line)
        else:
            used.add(id(found))
            result.matched.append((line, found))
    if lines:
        first, last = min(x.date for x in lines), max(x.date for x in lines)
        result.unmatched_books = [e for e in pool if id(e) not in used
                                  and first <= e.date <= last]
    return result


def _nearest(line: BankLine, pool: list[data.Transaction], bank: str, days: int,
             used: set[int]) -> data.Transaction | None:
    window = datetime.timedelta(days=days)
    fits = [e for e in pool if id(e) not in used and abs(e.date - line.date) <= window
            and bank_changes(e, {bank}).get(bank) == line.amount]
    return min(fits, key=lambda e: abs(e.date - line.date), default=None)
