"""Run a rules file over loaded books: one index, then every rule of every kind."""

from __future__ import annotations

import datetime
import gc
from pathlib import Path

from beancount.core import data

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, RuleWarning
from grantpool.rules.index import build_index
from grantpool.rules.kinds import (
    approval,
    cap,
    category,
    deadline,
    lapse,
    privacy,
    return_unspent,
    stale_balance,
    time_window,
)
from grantpool.rules.spec import Kind, RuleSet, load_rules
from grantpool.rules.yamlsrc import ConfigError

KINDS: dict[str, Kind] = {
    "cap": cap,
    "time_window": time_window,
    "deadline": deadline,
    "return_unspent": return_unspent,
    "category": category,
    "approval": approval,
    "lapse": lapse,
    "privacy": privacy,
    "stale_balance": stale_balance,
}


def load(path: Path) -> tuple[RuleSet | None, list[ConfigError]]:
    """Read and validate a rules file: ``(ruleset, [])`` or ``(None, errors)``."""
    return load_rules(path, KINDS)


def run(
    entries: list[data.Directive], ruleset: RuleSet, as_of: datetime.date,
    files: tuple[str, ...] = (),
) -> list[Problem]:
    """Every finding of every rule over the directives dated on or before *as_of*.

    Directives dated later are not judged (a plan is not yet a fact); the first
    of them gets one warning saying how many were left out.

    The cyclic garbage collector is paused meanwhile: the engine makes no cycles,
    and with a million directives alive each collection would walk them all,
    which made the rules cost grow faster than the books (see bench/RESULTS.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(entries, ruleset, as_of, files)
    finally:
        if enabled:
            gc.enable()


def _run(
    entries: list[data.Directive], ruleset: RuleSet, as_of: datetime.date,
    files: tuple[str, ...],
) -> list[Problem]:
    # entries come sorted by date: when the last is judged, all are (no copy needed)
    judged = entries if not entries or entries[-1].date <= as_of else [
        e for e in entries if e.date <= as_of]
    index = build_index(judged)
    ctx = Context(ruleset.pool, as_of, files)
    findings: list[Problem] = []
    for kind, rule in ruleset.rules:
        findings.extend(kind.check(rule, index, ctx))
    later = len(entries) - len(judged)
    if later:
        first = entries[len(judged)]
        meta = first.meta or {}
        source = {"filename": meta.get("filename", "<unknown>"), "lineno": meta.get("lineno", 0)}
        message = (f"warning [as-of] {later} directive(s) dated after {as_of} were not judged "
                   f"by the rules; this is the first")
        findings.append(RuleWarning(source, message, first, "as-of", "warning"))
    findings.sort(key=lambda f: (f.source["filename"], f.source["lineno"], f.rule))
    return findings

