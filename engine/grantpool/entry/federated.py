"""Entries written into two entities' books at once: a transfer's two halves.

Each half is judged against its own entity's books, loaded alone (a new entity's,
against nothing but itself); if either adds an error finding neither is written.
Otherwise every part is appended in order, and if one append fails every file
written is put back (``grantpool.entry.guard.write_parts``): both or neither.  The
entities' locks are held throughout, taken in the one order
(``grantpool.entry.route.lock_folders``: the consolidated folder, the pool's, then the
municipalities').
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from grantpool.books.opening import Books as Loaded
from grantpool.books.opening import open_books
from grantpool.books.writing import books_locks
from grantpool.entry import repayment as settle
from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.entry.guard import (
    NEW_ENTRY,
    AfterWrite,
    Part,
    Recorded,
    Refused,
    Verdict,
    judge_alone,
    judge_loaded,
    judged_as_of,
    write_parts,
)
from grantpool.entry.route import Target, lock_folders
from grantpool.federation.discover import Federation
from grantpool.rules.spec import RuleSet


@dataclass(frozen=True)
class Written:
    """What was written (or, dry, would be): each draft with its text, in order."""

    drafts: tuple[tuple[Draft, str], ...]
    verdict: Verdict
    summary: str

    @staticmethod
    def of(recorded: Recorded) -> Written:
        return Written(((recorded.draft, recorded.text),), recorded.verdict,
                       recorded.draft.summary)


@dataclass(frozen=True)
class Judged:
    """One part to write, and the books it is judged against (None: a new entity's
    books, judged alone)."""

    target: Path
    text: str
    books: Loaded | None
    label: str
    judged: bool = True


def judge_each(parts: list[Judged], rules: RuleSet, day: datetime.date) -> list[Verdict]:
    """Each judged part against its own books, as of *day* or their last entry."""
    out = []
    for part in (p for p in parts if p.judged):
        if part.books is None:
            out.append(judge_alone(part.text, rules, day, part.label))
        else:
            b = part.books
            out.append(judge_loaded(b.path, b.entries, b.errors, b.options, b.rules, part.text,
                                    judged_as_of(b.entries, day), part.label))
    return out


def write_judged(parts: list[Judged], rules: RuleSet, day: datetime.date, dry_run: bool,
                 after: AfterWrite | None, summary: str,
                 draft: Draft | None = None) -> Verdict:
    """Judge every part; on no new error write them all, in order (the caller holds the
    locks).  ``Refused`` names every target left unchanged."""
    verdicts = judge_each(parts, rules, day)
    errors = [f for v in verdicts for f in v.errors]
    if errors:
        targets = tuple(dict.fromkeys(p.target for p in parts))
        raise Refused(errors, draft, targets)
    if not dry_run:
        plain: list[Part] = [(p.target, p.text, p.judged) for p in parts]
        write_parts(plain[0][0], plain, after, summary)
    return Verdict(errors, [f for v in verdicts for f in v.warnings])


def pool_of(federation: Federation) -> Path:
    if federation.pool is None:
        raise EntryError(f"{federation.root}: the federation has no pool's books "
                         f"(pool/main.beancount naming the pool); run `grantpool init`")
    return federation.pool.main


def record_repayment(target: Target, municipality: str, day: datetime.date,
                     paid: datetime.date | None, today: datetime.date, dry_run: bool = False,
                     after: AfterWrite | None = None) -> Written:
    """Settle *municipality*'s grant on a federation: kept under the de-minimis (its
    books only), or the claim (and the repayment, if *paid*) as two halves, the
    municipality's in its books and the pool's in the pool's: both or neither."""
    if target.federation is None or target.entity is None:
        raise EntryError("a repayment on a federation needs the municipality's books")
    pool_main, own_main = pool_of(target.federation), target.entity.main
    with books_locks(lock_folders(target.federation, pool_main.parent, own_main.parent)):
        own = open_books(own_main, today, run_rules=False)
        own_books = Books(own.entries, own.rules.pool)
        currency = own.rules.pool.currency
        due = settle.claimed(own_books, municipality, paid)
        if paid is not None and due > 0:  # the claim is booked: its payment, both halves
            pool = open_books(pool_main, today, run_rules=False)
            pool_books = Books(pool.entries, pool.rules.pool)
            drafts = [(settle.payment(own_books, "municipality", municipality, paid, due), own),
                      (settle.payment(pool_books, "pool", municipality, paid, due), pool)]
            return _write(drafts, target.federation, own, currency, dry_run, after)
        left, total = settle.unspent(own_books, municipality, day)
        if settle.is_kept(own_books, total):
            draft = settle.kept_draft(own_books, municipality, day, left, total)
            drafts = [(draft, own)]
        else:
            pool = open_books(pool_main, today, run_rules=False)
            pool_books = Books(pool.entries, pool.rules.pool)
            drafts = [(settle.halves(own_books, "municipality", municipality, day, paid, left,
                                     total), own),
                      (settle.halves(pool_books, "pool", municipality, day, paid, left, total),
                       pool)]
        return _write(drafts, target.federation, own, currency, dry_run, after)


def _write(drafts: list[tuple[Draft, Loaded]], federation: Federation, own: Loaded,
           currency: str, dry_run: bool, after: AfterWrite | None) -> Written:
    """Judge each draft against its own books, then write all or none (locks held)."""
    parts = [Judged(d.target, d.text(currency), books,
                    _label(books, federation, len(drafts))) for d, books in drafts]
    last = max(d.last_date for d, _ in drafts)
    summary = drafts[0][0].summary
    verdict = write_judged(parts, own.rules, last, dry_run, after, summary, drafts[0][0])
    return Written(tuple((d, p.text) for (d, _), p in zip(drafts, parts, strict=True)),
                   verdict, summary)


def _label(books: Loaded, federation: Federation, halves: int) -> str:
    if halves == 1:
        return NEW_ENTRY
    pool = federation.pool
    whose = "the pool's" if pool is not None and books.path == pool.main else "the municipality's"
    return f"<new entry, {whose} half>"
