"""The findings of one set of loaded books as of today: the books' and rules' findings,
and the warnings only time brings, each with its municipality.  A rules engine that
crashed (Beancount turns the exception in a plugin into a load error holding its
traceback) is a failure of the run, reported by its last line, never a finding with a
traceback in it."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from beancount.core import data

from grantpool.audit.findings import from_error
from grantpool.books.opening import Books
from grantpool.scheduled.config import Thresholds
from grantpool.scheduled.outcome import Noticed, one_line, reason
from grantpool.scheduled.watch import time_warnings

CRASHED = "Error applying plugin"


def _municipality_of(error: Any, opened: dict[str, str]) -> str | None:
    entry = getattr(error, "entry", None)
    accounts = [getattr(entry, "account", None)]
    if isinstance(entry, data.Transaction):
        accounts += [p.account for p in entry.postings]
    if isinstance(entry, data.Event) and entry.description in opened.values():
        return str(entry.description)
    return next((opened[a] for a in accounts if a in opened), None)


def crash_reason(message: str) -> str:
    """``Error applying plugin "x": Traceback …  OverflowError: …`` -> one line."""
    name = message[len(CRASHED):].split(":", 1)[0].strip()
    last = [line for line in message.splitlines() if line.strip()][-1]
    return one_line(f"the rules engine crashed (plugin {name}), so no rule was checked: "
                    f"{last.strip()}")


def judge(books: Books, today: datetime.date, thresholds: Thresholds,
          owner: str | None = None) -> tuple[list[Noticed], list[str]]:
    """The findings of loaded *books*, and why they could not all be found (the rules
    file bad, the rules engine crashed, the time warnings not computed): the books were
    checked whole when that list is empty.  A finding whose municipality its accounts do
    not tell is *owner*'s (the municipality whose own books these are)."""
    opened = {e.account: e.meta["municipality"] for e in books.entries
              if isinstance(e, data.Open) and isinstance(e.meta.get("municipality"), str)}
    bad_rules = [e for e in books.errors if getattr(e, "rule", "") == "rules-file"]
    if bad_rules:
        first = bad_rules[0]
        return [], [f"the rules file is bad: {first.source['filename']}:"
                    f"{first.source['lineno']}: {first.message}"]
    crashed = [e for e in books.errors if str(e.message).startswith(CRASHED)]
    failures = [crash_reason(str(error.message)) for error in crashed]
    noticed = []
    for error in books.errors:
        if error not in crashed:
            found = from_error(error)
            noticed.append(Noticed(dataclasses.replace(found, message=one_line(
                found.message, None)), _municipality_of(error, opened) or owner))
    try:
        warned = time_warnings(books.entries, books.rules, today, thresholds)
    except (ValueError, ArithmeticError) as exc:  # a rules value out of any date's range
        return noticed, [*failures, reason(exc, "the time warnings could not be computed")]
    noticed += [Noticed(dataclasses.replace(f, message=one_line(f.message, None)), m)
                for f, m in warned]
    return noticed, failures
