"""``grantpool sample record``: what the auditor found, written into the books.

One ``audit_sample`` event (counts checked, fine and deviations; the method, size and
seed; the auditor) and one ``audit_deviation`` event per deviation naming the entry's
``file:line`` (relative to the event's file), in the municipality's file, through the
checked entry path.  The ``voucher`` rule kind reports each deviation as an error at its
entry.  The auditor's notes stay in the working paper: they may name people.  Each row
must still match the books (a purchase of that amount on that day at that line), or the
working paper is refused as not of these books; and the rows must be the sample drawn
again from sheet Parameters (entity, period, method, size, seed, key items), or it is
refused as changed, naming the first row that differs.  A sample is recorded once: a
second ``audit_sample`` event of the same draw is refused.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.audit.sample import draw, population
from grantpool.audit.workpaper import DRAWN_COLUMNS, Drawn, Result, drawn_cells, rows
from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.entry.events import MetaEvent
from grantpool.rules.kinds.voucher import DEVIATION
from grantpool.vouchers import state

SAMPLED = "audit_sample"
KEY_ITEMS = "key_items_over"  # the audit_sample event's record of --key-items-over


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


def _drawn_key(drawn: Drawn) -> str:
    return "interval" if drawn.key_over is None else f"{drawn.key_over:.2f}"


def check_rows(books: Books, root: Path, drawn: Drawn, results: list[Result]) -> None:
    """Refuse a working paper whose rows are not the sample *drawn* gives when drawn
    again from these books, naming the first row that differs."""
    again = draw(population(books.entries, drawn.entity, drawn.period, root), drawn.size,
                 drawn.seed, drawn.method, drawn.key_over)
    want = [drawn_cells(r) for r in rows(again, root)]
    how = (f"the sample drawn again from sheet Parameters ({drawn.method}, size "
           f"{drawn.size}, seed {drawn.seed}, {drawn.period.start}..{drawn.period.end})")
    for n, result in enumerate(results):
        if n >= len(want):
            raise EntryError(f"sheet Sample row {result.line}: not in {how}, which has "
                             f"{len(want)} row(s); use the working paper as written")
        if result.cells != want[n]:
            column = next(c for c, a, b in zip(DRAWN_COLUMNS, result.cells, want[n],
                                               strict=True) if a != b)
            got, wanted = (x[DRAWN_COLUMNS.index(column)][:60] for x in (result.cells,
                                                                           want[n]))
            raise EntryError(f"sheet Sample row {result.line}: {column} is {got!r} but "
                             f"{how} has {wanted!r}; the rows were changed (or the books were "
                             f"edited since the draw): use the working paper as written")
    if len(results) < len(want):
        line = results[-1].line + 1 if results else 2
        raise EntryError(f"sheet Sample row {line}: missing; {how} has {len(want)} rows; "
                         f"use the working paper as written")


def refuse_recorded(books: Books, drawn: Drawn) -> None:
    """Refuse a sample already recorded in the books: the same entity, period, method,
    size, seed and key items."""
    head = f"{drawn.entity} {drawn.period.start}..{drawn.period.end}:"
    for entry in books.entries:
        if not (isinstance(entry, data.Event) and entry.type == SAMPLED
                and entry.description.startswith(head)):
            continue
        meta = entry.meta or {}
        same = (str(meta.get("method")), str(meta.get("size")), str(meta.get("seed")),
                str(meta.get(KEY_ITEMS, _drawn_key(drawn))))
        if same == (drawn.method, str(drawn.size), str(drawn.seed), _drawn_key(drawn)):
            where = f"{Path(str(meta.get('filename'))).name}:{meta.get('lineno')}"
            raise EntryError(f"this sample ({head[:-1]}, {drawn.method}, size {drawn.size}, "
                             f"seed {drawn.seed}) is recorded already ({where}, {entry.date});"
                             f" a sample is recorded once: draw another with a new --seed")


def record_draft(books: Books, root: Path, drawn: Drawn, results: list[Result],
                 auditor: str, day: datetime.date) -> Draft:
    """The events that record *results* of the sample *drawn*, in the entity's file;
    the paper's locations are relative to *root* (the folder of the books it was drawn
    from)."""
    if not results:
        raise EntryError("the working paper has no rows to record")
    target = books.municipality_file(drawn.entity)
    refuse_recorded(books, drawn)
    check_rows(books, root, drawn, results)
    entries = [_entry_at(books, root, r) for r in results]
    bad = [(r, e) for r, e in zip(results, entries, strict=True) if r.deviation]
    counts = (f"{len(results)} checked, {len(results) - len(bad)} fine, {len(bad)} "
              f"deviation(s)")
    events: list[Any] = [MetaEvent(
        day, SAMPLED, f"{drawn.entity} {drawn.period.start}..{drawn.period.end}: {counts}",
        (("checked", str(len(results))), ("fine", str(len(results) - len(bad))),
         ("deviations", str(len(bad))), ("method", drawn.method), ("size", str(drawn.size)),
         ("seed", str(drawn.seed)), (KEY_ITEMS, _drawn_key(drawn)), ("auditor", auditor)))]
    for result, entry in bad:
        here = os.path.relpath(str(entry.meta["filename"]), target.resolve().parent)
        events.append(MetaEvent(
            day, DEVIATION, f"{drawn.entity}: row {result.row} of the sample recorded {day}",
            (("transaction", f"{Path(here).as_posix()}:{entry.meta['lineno']}"),
             ("auditor", auditor))))
    return Draft(target, events, f"audit sample of {drawn.entity}: {counts}")
