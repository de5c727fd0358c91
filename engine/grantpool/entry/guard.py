"""Checked before written: the books plus the new entries are loaded and judged
by the rules; a new error finding refuses the write, the files untouched.

All of it happens under the books' lock, so two writers cannot both pass the
check on the same money: the second is judged with the first's entry in.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grantpool.audit.findings import Finding, from_error
from grantpool.books.loading import load
from grantpool.books.writing import append_locked, books_lock
from grantpool.rules import engine
from grantpool.rules.spec import RuleSet


class Refused(Exception):
    """The entry would add an error finding; ``findings`` say which."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.to_text() for f in findings))
        self.findings = findings


@dataclass(frozen=True)
class Verdict:
    errors: list[Finding]
    warnings: list[Finding]


def _key(f: Finding) -> tuple[str, str, int, str]:
    return (f.rule, f.filename, f.lineno, f.message)


@contextmanager
def _probe(main: Path, text: str) -> Iterator[Path]:
    """A file beside the books that includes them and adds *text* (options and
    plugins of included files are ignored: the rules are run here instead)."""
    probe = main.parent / f".grantpool-probe-{os.getpid()}.beancount"
    probe.write_text(f'include "{main.name}"\n\n{text}', encoding="utf-8")
    try:
        yield probe
    finally:
        probe.unlink(missing_ok=True)


def _judge(path: Path, rules: RuleSet, as_of: datetime.date) -> list[Finding]:
    entries, errors, options = load(path)
    found: list[Any] = [e for e in errors if not hasattr(e, "rule")]
    found += engine.run(entries, rules, as_of, tuple(options.get("include", [])))
    return [from_error(e) for e in found if getattr(e, "rule", "") != "as-of"]


NEW_ENTRY = "<new entry>"


def _new_entry(finding: Finding, probe: Path) -> Finding:
    """Name the new text, not the probe file, in a finding about it."""
    if Path(finding.filename).resolve() != probe.resolve():
        return finding
    return replace(finding, filename=NEW_ENTRY, lineno=max(finding.lineno - 2, 0))


def judge(main: Path, rules: RuleSet, text: str, as_of: datetime.date) -> Verdict:
    """What the new *text* adds to the findings of the books at *main*."""
    before = {_key(f) for f in _judge(main, rules, as_of)}
    with _probe(main, text) as probe:
        after = [_new_entry(f, probe) for f in _judge(probe, rules, as_of)]
    added = [f for f in after if _key(f) not in before]
    return Verdict([f for f in added if f.severity == "error"],
                   [f for f in added if f.severity == "warning"])


def checked_write(main: Path, target: Path, text: str, rules: RuleSet,
                  as_of: datetime.date, dry_run: bool = False) -> Verdict:
    """Judge *text*; refuse it on a new error; else append it to *target* (unless dry)."""
    return checked_write_many(main, [(target, text, True)], rules, as_of, dry_run)


def checked_write_many(main: Path, parts: list[tuple[Path, str, bool]], rules: RuleSet,
                       as_of: datetime.date, dry_run: bool = False) -> Verdict:
    """Judge the *parts* marked to be judged together; on no new error, append each
    part to its file, in order (so every state between two appends is valid books).
    An ``include`` line is not judged: its file is in the judged text already."""
    with books_lock(main.parent):
        combined = "\n".join(text for _, text, judged in parts if judged)
        verdict = judge(main, rules, combined, as_of)
        if verdict.errors:
            raise Refused(verdict.errors)
        if not dry_run:
            for target, text, _ in parts:
                append_locked(main, target, text)
    return verdict
