"""``grantpool sample record``: what the auditor found, written into the books.

One ``audit_sample`` event (counts checked, fine and deviations; the method, size and
seed; the auditor) and one ``audit_deviation`` event per deviation naming the entry's
``file:line`` (relative to the event's file), in the municipality's file, through the
checked entry path.  The ``voucher`` rule kind reports each deviation as an error at its
entry.  The auditor's notes stay in the working paper: they may name people.  Each row
must still match the books (a purchase of that amount on that day at that line), or the
working paper is refused as not of these books.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.audit.workpaper import Drawn, Result
from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.entry.events import MetaEvent
from grantpool.rules.kinds.voucher import DEVIATION
from grantpool.vouchers import state

SAMPLED = "audit_sample"


def _entry_at(books: Books, root: Path, result: Result) -> data.Transaction:
    where, _, line = result.location.rpartition(":")
    full = os.path.normpath(root / where)
    for entry in books.entries:
        meta = entry.meta or {}
        if (isinstance(entry, data.Transaction) and meta.get("filename") == full
                and str(meta.get("lineno")) == line and "purchase" in (entry.tags or ())
                and entry.date == result.date and state.amount(entry) == result.amount):
            return entry
    raise EntryError(f"row {result.row}: the books hold no purchase of {result.amount} on "
                     f"{result.date} at {result.location[:80]}; the working paper is not of "
                     f"these books (or they were edited since)")


def record_draft(books: Books, root: Path, drawn: Drawn, results: list[Result],
                 auditor: str, day: datetime.date) -> Draft:
    """The events that record *results* of the sample *drawn*, in the entity's file;
    the paper's locations are relative to *root* (the folder of the books it was drawn
    from)."""
    if not results:
        raise EntryError("the working paper has no rows to record")
    target = books.municipality_file(drawn.entity)
    entries = [_entry_at(books, root, r) for r in results]
    bad = [(r, e) for r, e in zip(results, entries, strict=True) if r.deviation]
    counts = (f"{len(results)} checked, {len(results) - len(bad)} fine, {len(bad)} "
              f"deviation(s)")
    events: list[Any] = [MetaEvent(
        day, SAMPLED, f"{drawn.entity} {drawn.period.start}..{drawn.period.end}: {counts}",
        (("checked", str(len(results))), ("fine", str(len(results) - len(bad))),
         ("deviations", str(len(bad))), ("method", drawn.method), ("size", str(drawn.size)),
         ("seed", str(drawn.seed)), ("auditor", auditor)))]
    for result, entry in bad:
        here = os.path.relpath(str(entry.meta["filename"]), target.resolve().parent)
        events.append(MetaEvent(
            day, DEVIATION, f"{drawn.entity}: row {result.row} of the sample recorded {day}",
            (("transaction", f"{Path(here).as_posix()}:{entry.meta['lineno']}"),
             ("auditor", auditor))))
    return Draft(target, events, f"audit sample of {drawn.entity}: {counts}")
