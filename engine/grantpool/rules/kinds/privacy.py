"""``privacy``: no CPR number anywhere in the books.

A CPR number is ten digits ``DDMMYY-SSSS`` (the dash optional) whose first six
are a real date in some century.  The modulus-11 check is deliberately not
used: valid numbers without it exist since 2007.  Under the plugin
every line of every books file is searched, comments and the rules file too
(one regular-expression pass per file); without files, every text of every
directive: narration, payee, tags, links, metadata, account names, event and
note texts, custom values.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("pattern",)
CPR = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)")
# In a books file, a number with decimals (an amount) is not a CPR number.
CPR_BYTES = re.compile(rb"(?<![\d.])(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d|[.,]\d)")
_FLAT = bytes.maketrans(b"123456789", b"000000000")
SKIP_META = frozenset({"filename", "lineno"})


@dataclass(frozen=True)
class Privacy:
    id: str
    severity: str


def parse(common: Common, f: RuleFields) -> Privacy | None:
    if f.choice("pattern", ("cpr",), default="cpr") is None:
        return None
    return Privacy(common.id, common.severity)


def _real_date(day: int, month: int, year: int) -> bool:
    for century in (1900, 2000):
        try:
            datetime.date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


def looks_like_cpr(text: str) -> bool:
    return any(_real_date(int(d), int(m), int(y)) for d, m, y, _ in CPR.findall(text))


def _texts(entry: Any) -> Iterator[tuple[str, str]]:
    for key, value in (entry.meta or {}).items():
        if key not in SKIP_META and not key.startswith("__"):
            yield f"metadata '{key}'", f"{key} {value}"
    for name in ("narration", "payee", "account", "description", "comment", "type"):
        value = getattr(entry, name, None)
        if isinstance(value, str):
            yield name, value
    for name in ("tags", "links"):
        for value in getattr(entry, name, None) or ():
            yield name[:-1], value
    if isinstance(entry, data.Custom):
        yield from (("custom value", str(v.value)) for v in entry.values)
    if isinstance(entry, data.Transaction):
        for posting in entry.postings:
            yield from ((f"posting metadata '{k}'", f"{k} {v}")
                        for k, v in (posting.meta or {}).items() if k not in SKIP_META)


def _digit_runs(raw: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of every run of six or more digits: a C-speed first look."""
    flat = raw.translate(_FLAT)
    start = flat.find(b"000000")
    while start != -1:
        end = start + 6
        while end < len(flat) and flat[end] == 48:  # 48 is b"0"
            end += 1
        yield start, end
        start = flat.find(b"000000", end)


def _scan_files(rule: Privacy, files: tuple[str, ...]) -> list[Problem]:
    """Every line of every file, comments too.  A regular expression over a whole
    books file is slow (amounts and dates are full of digits), so only the runs
    of six or more digits are looked at closely."""
    out = []
    for filename in files:
        try:
            raw = Path(filename).read_bytes()
        except OSError:
            continue  # the loader reports unreadable books itself
        for start, end in _digit_runs(raw):
            match = CPR_BYTES.search(raw, start, end + 5)
            if match and match.start() == start and _real_date(
                    int(match[1]), int(match[2]), int(match[3])):
                lineno = raw.count(b"\n", 0, start) + 1
                out.append(finding(rule, _Line(filename, lineno),
                                   "this line holds what looks like a CPR number; use the "
                                   "citizen's pseudonymous id instead"))
    return out


class _Line:
    """A place in a file that is not a directive (a comment, a rules file line)."""

    def __init__(self, filename: str, lineno: int) -> None:
        self.meta = {"filename": filename, "lineno": lineno}
        self.date = None


def check(rule: Privacy, index: Index, ctx: Context) -> list[Problem]:
    if ctx.files:
        return _scan_files(rule, ctx.files)
    out = []
    for entry in index.entries:
        where = next((field for field, text in _texts(entry) if looks_like_cpr(text)), None)
        if where is not None:
            out.append(finding(rule, entry, f"the {where} holds what looks like a CPR number; "
                                            f"use the citizen's pseudonymous id instead"))
    return out
