"""Match bank lines to the books, one to one, also across statements.

A line matches at most one transaction that changes the same bank, and a
transaction at most one line:

* a transaction with ``bank_ref`` metadata is that bank line's (the import wrote
  it for the line, or an officer tied it): it matches only the line whose key
  is its ``bank_ref``, dated within the days;
* any other transaction matches the nearest line of the same amount within the
  days;
* last, a line still unmatched may match, by the same amount on the same day, a
  transaction tied to a key of the other kind, that no line of this statement carries:
  the same month imported before in another format.  A bank's CSV export has no
  references, so its lines' keys are digests of their content, while camt.053 and
  MT940 carry the bank's references.  Two different references of a bank are two
  different lines: they never match each other.
* only transactions the statement can still explain are candidates: those dated
  on or after the books' last balance assertion of the bank on or before the
  statement's first day, and before the first assertion after its last day.
  What lies before is settled by earlier statements (their lines matched it,
  and their closing balance asserts it); what lies after, by later ones.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from grantpool.bank.lines import DIGEST, BankLine
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


def open_window(entries: list[data.Directive], bank: str, first: datetime.date,
                last: datetime.date) -> tuple[datetime.date | None, datetime.date | None]:
    """``(from, until)``: the transactions a statement of *first*..*last* may match are
    dated ``from <= date < until`` (None: no bound), between the assertions around it."""
    asserted = sorted(e.date for e in entries if isinstance(e, data.Balance) and e.account == bank)
    since = max((d for d in asserted if d <= first), default=None)
    until = min((d for d in asserted if d > last), default=None)
    return since, until


def match(lines: list[BankLine], entries: list[data.Directive], bank: str,
          days: int) -> Matches:
    result = Matches()
    if not lines:
        return result
    first, last = min(x.date for x in lines), max(x.date for x in lines)
    since, until = open_window(entries, bank, first, last)
    pool = [e for e in candidates(entries, bank)
            if (since is None or e.date >= since) and (until is None or e.date < until)]
    tied: dict[str, list[data.Transaction]] = defaultdict(list)
    free = []
    for entry in pool:
        ref = entry.meta.get("bank_ref")
        if ref:
            tied[str(ref)].append(entry)
        else:
            free.append(entry)
    used: set[int] = set()
    keys = {line.key for line in lines}
    elsewhere = {kind: [e for ref, tied_to in tied.items()
                        if ref not in keys and ref.startswith(DIGEST) != kind for e in tied_to]
                 for kind in (False, True)}  # by the kind of key a line has: a digest?
    left = []
    for line in lines:
        found = _nearest(line, tied.get(line.key, []), bank, days, used, same_amount=False) \
            or _nearest(line, free, bank, days, used, same_amount=True)
        if found is None:
            left.append(line)
        else:
            used.add(id(found))
            result.matched.append((line, found))
    for line in left:  # the same line, imported before under another format's reference
        found = _nearest(line, elsewhere[line.key.startswith(DIGEST)], bank, 0, used,
                         same_amount=True)  # the same day: one movement, two formats
        if found is None:
            result.unmatched_bank.append(line)
        else:
            used.add(id(found))
            result.matched.append((line, found))
    order = {id(line): at for at, line in enumerate(lines)}
    result.matched.sort(key=lambda pair: order[id(pair[0])])
    result.unmatched_books = [e for e in pool if id(e) not in used and first <= e.date <= last]
    return result


def _nearest(line: BankLine, pool: list[data.Transaction], bank: str, days: int,
             used: set[int], same_amount: bool) -> data.Transaction | None:
    """The unused transaction of *pool* nearest *line* in date within *days*; of the
    same amount, or (*same_amount* False) preferring it."""
    window = datetime.timedelta(days=days)

    def change(e: data.Transaction) -> Decimal | None:
        return bank_changes(e, {bank}).get(bank)

    fits = [e for e in pool if id(e) not in used and abs(e.date - line.date) <= window
            and (not same_amount or change(e) == line.amount)]
    return min(fits, key=lambda e: (change(e) != line.amount, abs(e.date - line.date)),
               default=None)
