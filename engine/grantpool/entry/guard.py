"""Checked before written: the books plus the new entries are judged by the rules;
a new error finding refuses the write, the files untouched.

All of it happens under the books' lock, and the entry itself is built there from
the books as they are then (a new citizen's id included), so two writers cannot
both pass the check on the same money or take the same id: the second is judged
with the first's entry in.

The new text is never put in a file to be judged.  It is judged with the books'
one load: parsed alone and merged into the loaded entries, with only what it can
change checked again (``grantpool.entry.judge``).  Where that could judge otherwise,
the loader reads it from a string that includes the books' main file
(``loader.load_string``), so nothing can be planted in its place, and no plugin runs
but ours (the rules are run on the result here; an included file's ``plugin`` lines
are not run by Beancount): the same verdict, from a second load.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.parser import parser

from grantpool.audit.findings import Finding, from_error
from grantpool.books.opening import open_books
from grantpool.books.writing import (
    Parsed,
    append_locked,
    books_locks,
    digests_beside,
    last_directives,
)
from grantpool.entry.entries import Books, Draft
from grantpool.entry.judge import HEADER_LINES, after_entry
from grantpool.entry.route import federation_at, lock_folders, main_folders
from grantpool.generate.writer import quote
from grantpool.rules import engine
from grantpool.rules.spec import RuleSet
from grantpool.vouchers.store import documents_root, store, undo

NEW_ENTRY = "<new entry>"
_STRING = "<string>"


class Refused(Exception):
    """The entry would add an error finding; ``findings`` say which, ``targets`` which
    files were left unchanged (default: the draft's)."""

    def __init__(self, findings: list[Finding], draft: Draft | None = None,
                 targets: tuple[Path, ...] = ()) -> None:
        super().__init__("; ".join(f.to_text() for f in findings))
        self.findings = findings
        self.draft = draft
        self.targets = targets or ((draft.target,) if draft else ())


@dataclass(frozen=True)
class Verdict:
    errors: list[Finding]
    warnings: list[Finding]


def _key(f: Finding) -> tuple[str, str, int, str]:
    return (f.rule, f.filename, f.lineno, f.message)


def _findings(entries: list[Any], errors: list[Any], options: dict[str, Any],
              rules: RuleSet, as_of: datetime.date, run: bool = True) -> list[Finding]:
    """The books' findings: their load's *errors* and (*run*) their rules'."""
    found: list[Any] = [e for e in errors if not hasattr(e, "rule")]
    if run:
        found += engine.run(entries, rules, as_of, tuple(options.get("include", [])))
    return [from_error(e) for e in found if getattr(e, "rule", "") != "as-of"]


def _named(finding: Finding, label: str = NEW_ENTRY) -> Finding:
    """Name the new text (*label*), not the loader's ``<string>``, in a finding about it."""
    if finding.filename != _STRING:
        return finding
    return replace(finding, filename=label, lineno=max(finding.lineno - HEADER_LINES, 0))


def judge_loaded(main: Path, entries: list[Any], errors: list[Any], options: dict[str, Any],
                 rules: RuleSet, text: str, as_of: datetime.date,
                 label: str = NEW_ENTRY) -> Verdict:
    """What *text* adds to the findings of the books at *main*, already loaded.  A
    finding in the new text names it *label*.

    Judged without loading the books again (``grantpool.entry.judge``) unless only the
    full load of the books with the text in can judge it alike."""
    after = after_entry(entries, errors, options, text)
    if after is None:
        before = {_key(f) for f in _findings(entries, errors, options, rules, as_of)}
        source = f'include "{_escaped(main.resolve())}"\n\n{text}'
        return _added(before, source, rules, as_of, label)
    found = _findings(after.entries, after.errors, options, rules, as_of)
    old = {_key(f) for f in _findings(entries, errors, options, rules, as_of, run=False)}
    # a finding in the books' own files may be one the books had: run the rules that
    # made such findings over the books as they were (a rule's findings bear its id)
    suspects = {f.rule for f in found if f.filename != _STRING and _key(f) not in old}
    if suspects:
        only = replace(rules, rules=tuple((kind, rule) for kind, rule in rules.rules
                                          if rule.id in suspects))
        old |= {_key(f) for f in _findings(entries, errors, options, only, as_of)}
    return _verdict([_named(f, label) for f in found if _key(f) not in old])


def judge_alone(text: str, rules: RuleSet, as_of: datetime.date, label: str) -> Verdict:
    """The findings of *text* as books of their own (a new entity's, nothing before it)."""
    return _added(set(), f"\n\n{text}", rules, as_of, label)


def _added(before: set[tuple[str, str, int, str]], source: str, rules: RuleSet,
           as_of: datetime.date, label: str) -> Verdict:
    new_entries, new_errors, new_options = loader.load_string(source)
    after = [_named(f, label) for f in _findings(new_entries, new_errors, new_options, rules,
                                                 as_of)]
    return _verdict([f for f in after if _key(f) not in before])


def _verdict(added: list[Finding]) -> Verdict:
    return Verdict([f for f in added if f.severity == "error"],
                   [f for f in added if f.severity == "warning"])


def _escaped(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace('"', '\\"')


Part = tuple[Path, str, bool]
# Run under the lock after the files are written: (the files, what was written).
AfterWrite = Callable[[list[Path], str], None]


def write_parts(main: Path, parts: list[Part], after: AfterWrite | None = None,
                summary: str = "entries", parsed: dict[Path, Parsed] | None = None) -> None:
    """Append each part to its file, in order (every state between two appends is valid
    books); then *after* (e.g. a git commit).  If an append or *after* fails, every file
    written is put back as it was and the exception propagates.  *parsed*: where the
    caller's load read each file's last directive (``writing.last_directives``), so the
    re-parse after an append starts there.  The caller holds the books' lock."""
    olds = {target: target.read_text(encoding="utf-8") if target.exists() else None
            for target, _, _ in parts}
    done: dict[Path, str | None] = {}
    try:
        for target, text, _ in parts:
            append_locked(main, target, text, (parsed or {}).get(target.resolve()))
            done[target] = olds[target]
        if after is not None:
            after(list(olds), summary)
    except BaseException:
        _restore(done)
        raise


def _restore(olds: dict[Path, str | None]) -> None:
    from grantpool.generate.writer import write_atomic  # noqa: PLC0415 (cycle-free here)

    for target, old in olds.items():
        if old is None:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, old)


@dataclass(frozen=True)
class Recorded:
    draft: Draft
    text: str
    verdict: Verdict


def judged_as_of(entries: list[Any], newest: datetime.date) -> datetime.date:
    """The day an entry is judged for: its own date, or the books' last if that is later
    (so a backdated entry is judged with everything after it).  Only findings the entry
    adds count, so what time alone brings (a deadline passing) never refuses it."""
    last = max((getattr(e, "date", newest) for e in entries), default=newest)
    return max(newest, last)


def record_entry(main: Path, make: Callable[[Books], Draft], today: datetime.date,
                 dry_run: bool = False, after: AfterWrite | None = None,
                 expected: Callable[[Finding], bool] | None = None,
                 overview: Path | None = None) -> Recorded:
    """Load the books under their lock, build the entry from them, judge it with the
    same load, and append it unless refused or *dry_run*.  A draft's voucher is stored
    first, under the same lock, and removed again if the entry is refused or not
    written.  Error findings *expected* accepts (what the entry is meant to record, an
    auditor's deviation) do not refuse it.

    *main* is one set of books: an entity's own on a federation (routed by
    ``grantpool.entry.route``), whose folder alone is locked.  A federation's
    consolidated main file given here (a caller that did not route) locks every
    entity's folder.  *overview*: the federation's consolidated main file, to declare
    the entity's voucher folder in too (under its folder's lock, taken first).

    Raises ``Refused`` (with the draft's findings), ``EntryError`` from *make*,
    ``CannotLoad``/``NoRules`` for unreadable books, ``WriteRefused`` for a write
    that could not be made, ``VoucherError`` for a voucher that cannot be stored."""
    folders = main_folders(main)
    if overview is not None:
        folders = lock_folders(federation_at(overview), overview.parent, *folders)
    with books_locks(folders):
        digests = {} if dry_run else digests_beside(main)  # as the load will read them
        books = open_books(main, today, run_rules=False)  # the rules run below, once
        draft = make(Books(books.entries, books.rules.pool))
        text = draft.text(books.rules.pool.currency)
        as_of = judged_as_of(books.entries, draft.last_date)
        created = store(draft.voucher, documents_root(main)) if (
            draft.voucher and not dry_run) else []
        try:
            verdict = judge_loaded(main, books.entries, books.errors, books.options,
                                   books.rules, text, as_of)
            refusing = [f for f in verdict.errors if expected is None or not expected(f)]
            if refusing:
                raise Refused(refusing, draft)
            if not dry_run:
                parts = [*documents_options(main, books.options, draft, overview),
                         (draft.target, text, True)]
                write_parts(main, parts, after, draft.summary,
                            last_directives(books.entries, digests))
        except BaseException:
            undo(created)
            raise
    return Recorded(draft, text, verdict)


def documents_options(main: Path, options: dict[str, Any], draft: Draft,
                      overview: Path | None = None) -> list[Part]:
    """The ``option "documents"`` lines for the voucher folder beside *main*, when a
    voucher is stored and the books (and the *overview*, the consolidated main file
    that includes them) do not declare it yet: so Beancount and Fava find vouchers."""
    if draft.voucher is None:
        return []
    folder = documents_root(main)
    out: list[Part] = []
    for books, known in ((main, options), (overview, None)):
        if books is None:
            continue
        declared = known if known is not None else parser.parse_file(str(books))[2]
        base = books.resolve().parent
        if folder not in {(base / str(d)).resolve() for d in declared.get("documents", [])}:
            name = Path(os.path.relpath(folder, base)).as_posix()
            out.append((books, f"option \"documents\" {quote(name)}\n", False))
    return out
