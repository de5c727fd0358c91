"""A bank's CSV export, read through its profile (``grantpool.bank.profiles``).

The first non-blank line is the header (each column named once, every column
the profile uses present, order free, more columns ignored); every other line
has as many fields as the header and is a bank line, oldest first or newest
first, each with its balance after it.  Any bad line refuses the whole file: a
malformed one (``grantpool.bank.reading``), a CPR-like number in any field, a
balance that is not the running balance (``grantpool.bank.balances``).
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal
from pathlib import Path

from grantpool.bank import balances, reading
from grantpool.bank.lines import BankLine
from grantpool.bank.model import REFERENCE_MAX, Statement, from_running
from grantpool.bank.profiles import Profile
from grantpool.bank.reading import PersonalData, StatementError
from grantpool.privacy.cpr import looks_like_cpr

YEARS = (1900, 2999)
EXCERPT = 20


def read_csv(path: Path, profile: Profile, encoding: str | None = None) -> Statement:
    """The statement in *path* as *profile* describes it (*encoding* overrides the
    profile's); raises ``StatementError`` (or a subclass) naming the line that failed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StatementError(path, 0, f"cannot read it ({exc.strerror})") from exc
    text = reading.decode(path, raw, encoding or profile.encoding)
    rows = [(n, row) for n, row in reading.rows(path, text, profile.separator)
            if any(field.strip() for field in row)]
    columns = profile.separator.join(profile.header)
    if not rows:
        raise StatementError(path, 1, f"empty file; a statement starts with the line {columns}")
    number, first = rows[0]
    header = [h.strip().lstrip("\ufeff").strip() for h in first]
    _no_cpr(path, number, first, [])  # a header cell may be the number itself
    at = _columns(path, number, header, profile)
    lines = []
    for number, row in rows[1:]:
        _no_cpr(path, number, row, header)
        if [f.strip().lstrip("\ufeff").strip() for f in row] == header:
            raise StatementError(path, number, f"repeats the header of line {rows[0][0]}; a "
                                               f"statement has one header (were two files "
                                               f"joined?)")
        if len(row) != len(header):
            sep = profile.separator
            raise StatementError(path, number, f"{len(row)} fields, the header has "
                                               f"{len(header)} (a '{sep}' inside a field must "
                                               f"be quoted: \"a{sep}b\")")
        if any(row[at[c]].strip() in values for c, values in profile.skip.items()):
            continue  # not booked yet: the bank's balance does not hold it
        lines.append(_line(path, number, row, at, profile))
    if not lines:
        raise StatementError(path, rows[0][0], "only the header, no bank lines after it; "
                                               "export the statement again")
    return from_running(path, balances.running(path, lines), f"csv:{profile.name}")


def _columns(path: Path, number: int, header: list[str], profile: Profile) -> dict[str, int]:
    named = [h for h in header if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise StatementError(path, number, f"column(s) {', '.join(twice)} named twice; "
                                           f"name each column once")
    used = [*profile.required, *profile.skip]  # the reference column may be left out
    missing = list(dict.fromkeys(c for c in used if c not in header))
    if missing:
        raise StatementError(path, number, f"missing column(s) {', '.join(missing)}; the "
                                           f"columns are {profile.separator.join(profile.header)}")
    return {name: header.index(name) for name in named}


def _no_cpr(path: Path, number: int, row: list[str], header: list[str]) -> None:
    for index, field in enumerate(row):
        if looks_like_cpr(field):
            name = header[index] if index < len(header) and header[index] else ""
            column = f"column {index + 1}" + (f" ({name})" if name else "")
            raise PersonalData(path, number, f"{column} holds a CPR-like number; remove it "
                                             f"from the statement (the books never hold CPR "
                                             f"numbers) and import it again")


def _line(path: Path, number: int, row: list[str], at: dict[str, int],
          profile: Profile) -> BankLine:
    role = profile.columns
    try:
        day = _date(row[at[role["date"]]], role["date"], profile)
        amount = parse_number(row[at[role["amount"]]], profile)
        balance = parse_number(row[at[role["balance"]]], profile)
    except ValueError as exc:
        raise StatementError(path, number, str(exc)) from exc
    reference = row[at[role["reference"]]].strip() if role.get("reference") in at else ""
    if len(reference) > REFERENCE_MAX or any(unicodedata.category(c) == "Cc"
                                             for c in reference):
        raise StatementError(path, number, f"the {role['reference']} is longer than "
                                           f"{REFERENCE_MAX} characters or holds a control "
                                           f"character (a line break, a tab); a bank reference "
                                           f"is one short word")
    return BankLine(number, day, row[at[role["text"]]].strip(), amount, balance, reference)


def parse_number(text: str, profile: Profile) -> Decimal:
    """``-1.500,00`` (as *profile* writes numbers) -> Decimal("-1500.00"); else ValueError."""
    value = text.strip().replace("\u00a0", "")
    if not profile.number.match(value):
        kind = "a Danish amount" if profile.decimal == "," else "an amount"
        raise ValueError(f"'{text.strip()[:EXCERPT]}' is not {kind} like "
                         f"{profile.amount_example}")
    if profile.thousands:
        value = value.replace(profile.thousands, "")
    return Decimal(value.replace(profile.decimal, "."))


def _date(text: str, column: str, profile: Profile) -> datetime.date:
    value = text.strip()
    try:
        day = datetime.datetime.strptime(value, profile.strptime).date()
    except ValueError:
        example = datetime.date(2018, 2, 8).strftime(profile.strptime)
        raise ValueError(f"{column} '{value[:EXCERPT]}' is not a date like {example} "
                         f"({profile.date_format})") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"{column} {value} is not within the years {YEARS[0]}-{YEARS[1]}")
    return day
