"""A citizen's statement, and the rules' findings grouped for the Findings page."""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from grantpool.books import chart as acc
from grantpool.books.roles import roles
from grantpool.vouchers.store import PATH_KEY

ZERO = Decimal(0)


@dataclass(frozen=True)
class Line:
    date: datetime.date
    kind: str
    narration: str
    category: str | None
    available: Decimal  # change to the budget's Available account
    committed: Decimal  # change to its Committed account
    remaining: Decimal  # Available after this line
    filename: str
    lineno: int
    voucher: str = ""  # the voucher's file (absolute), when the entry records one


def _voucher(entry: data.Transaction) -> str:
    """The entry's voucher (``document`` metadata, relative to the entry's file)."""
    relative = entry.meta.get(PATH_KEY)
    filename = entry.meta.get("filename", "")
    if not relative or not filename:
        return ""
    return os.path.normpath(os.path.join(os.path.dirname(filename), str(relative)))


def statement(entries: list[data.Directive], municipality: str, citizen: str,
              as_of: datetime.date) -> list[Line]:
    """Every transaction of the citizen's budget up to *as_of*, with the balance after it."""
    available = acc.citizen_available(municipality, citizen)
    committed = acc.citizen_committed(municipality, citizen)
    role_map = roles(entries)
    remaining, out = ZERO, []
    for entry in entries:
        if entry.date > as_of:
            break
        if not isinstance(entry, data.Transaction):
            continue
        change = {available: ZERO, committed: ZERO}
        touched, category = False, None
        for posting in entry.postings:
            if posting.account in change and posting.units is not None:
                change[posting.account] += posting.units.number or ZERO
                touched = True
            role = role_map.get(posting.account)
            if role is not None and role.role == "purchase":
                category = role.category
        if not touched:
            continue
        remaining += change[available]
        kind = next(iter(sorted(entry.tags)), "") if entry.tags else ""
        out.append(Line(entry.date, kind, entry.narration or "", category, change[available],
                        change[committed], remaining, entry.meta.get("filename", ""),
                        entry.meta.get("lineno", 0), _voucher(entry)))
    return out


@dataclass(frozen=True)
class Stop:
    """The day a budget stopped (``moved_out``, ``excluded``): a row of the statement."""

    date: datetime.date
    kind: str


def with_stops(lines: list[Line], stops: list[tuple[datetime.date, str]]) -> list[Line | Stop]:
    """The statement's lines with the days the budget stopped among them, by date (a
    stop after the lines of its day: the rest is returned on the day it stops)."""
    rows: list[Line | Stop] = [*lines, *(Stop(day, kind) for day, kind in stops)]
    return sorted(rows, key=lambda r: (r.date, isinstance(r, Line) and r.kind == "return"))


@dataclass(frozen=True)
class Recorded:
    """A purchase just recorded through the form, and its statement line if shown."""

    date: datetime.date
    amount: Decimal
    category: str
    line: Line | None


def recorded(param: str, lines: list[Line]) -> Recorded | None:
    """What the page's ``recorded=<date>,<amount>,<category>`` parameter names, with the
    last statement line that fits it (none when the time filter leaves it out)."""
    try:
        day, amount, category = param.split(",")
        when, paid = datetime.date.fromisoformat(day), Decimal(amount)
    except (ValueError, ArithmeticError):  # InvalidOperation is an ArithmeticError
        return None
    fits = [line for line in lines if line.kind == "purchase" and line.date == when
            and line.category == category and -(line.available + line.committed) == paid]
    return Recorded(when, paid, category, fits[-1] if fits else None)


@dataclass(frozen=True)
class Entered:
    """An entry just recorded through the other form (``entryform``): its kind, its day,
    and whether the statement shows it (its line, or the day its budget stopped)."""

    kind: str
    date: datetime.date
    line: Line | None
    shown: bool


def entered(param: str, lines: list[Line], stops: list[tuple[datetime.date, str]],
            kinds: tuple[str, ...]) -> Entered | None:
    """What the page's ``entered=<kind>,<date>`` parameter names (a kind of *kinds*),
    with the last statement line of that kind and day, or the stop of that day."""
    kind, _, day = param.partition(",")
    try:
        when = datetime.date.fromisoformat(day)
    except ValueError:
        return None
    if kind not in kinds:
        return None
    fits = [line for line in lines if line.kind == kind and line.date == when]
    line = fits[-1] if fits else None
    return Entered(kind, when, line, line is not None or (when, kind) in stops)


def by_category(lines: list[Line]) -> list[tuple[str, Decimal, int]]:
    """(category, amount, purchases), largest first."""
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    counts: defaultdict[str, int] = defaultdict(int)
    for line in lines:
        if line.kind == "purchase" and line.category:
            totals[line.category] -= line.available + line.committed
            counts[line.category] += 1
    return sorted(((c, a, counts[c]) for c, a in totals.items()), key=lambda t: -t[1])


def grouped_findings(errors: list[Any]) -> dict[str, dict[str, list[Any]]]:
    """The rules' findings (errors with a ``rule``) by severity, then by rule id."""
    groups: dict[str, dict[str, list[Any]]] = {"error": {}, "warning": {}}
    for error in errors:
        rule = getattr(error, "rule", None)
        if rule is None:
            continue
        severity = "warning" if getattr(error, "severity", "") == "warning" else "error"
        groups[severity].setdefault(rule, []).append(error)
    return groups


def loader_errors(errors: list[Any]) -> list[Any]:
    """Errors of Beancount itself (not of a rule)."""
    return [e for e in errors if getattr(e, "rule", None) is None]
