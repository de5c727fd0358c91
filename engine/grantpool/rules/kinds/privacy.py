"""``privacy``: no CPR number anywhere in the books.

What looks like a CPR number is decided in one place, ``grantpool.privacy.cpr``
(ten digits whose first six are a real date, in the spellings people type:
``010190-1234``, ``010190 1234``, an en dash, ``01.01.90-1234``,
``01 01 90 1234``; not an amount, an ISO date or a phone number).  Under the
plugin every line of every books file is searched, comments and the rules file
too (a first look at C speed, see ``find_in_bytes``), one finding per line;
without files, every text of every directive: narration, payee, tags, links,
metadata, account names, event and note texts, custom values.  A finding never
repeats the number.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from beancount.core import data

from grantpool.privacy.cpr import find_in_bytes, looks_like_cpr
from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields

FIELDS = ("pattern",)
SKIP_META = frozenset({"filename", "lineno"})


class Privacy(NamedTuple):
    id: str
    severity: str


def parse(common: Common, f: RuleFields) -> Privacy | None:
    if f.choice("pattern", ("cpr",), default="cpr") is None:
        return None
    return Privacy(common.id, common.severity)


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


def _scan_files(rule: Privacy, files: tuple[str, ...]) -> list[Problem]:
    """Every line of every file, comments too: one finding per line that holds one."""
    out = []
    for filename in files:
        try:
            raw = Path(filename).read_bytes()
        except OSError:
            continue  # the loader reports unreadable books itself
        lines = sorted({raw.count(b"\n", 0, start) + 1 for start in find_in_bytes(raw)})
        out += [finding(rule, _Line(filename, lineno), "this line holds what looks like a CPR "
                                                       "number; use the citizen's pseudonymous "
                                                       "id instead") for lineno in lines]
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
