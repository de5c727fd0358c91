"""Run a rules file over loaded books: one index, then every rule of every kind."""

from __future__ import annotations

import datetime
import gc
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, RuleCrash, RuleWarning
from grantpool.rules.index import Index, build_index
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
    unpaid_commitment,
    voucher,
)
from grantpool.rules.spec import Kind, RuleSet, load_rules
from grantpool.rules.yamlbounds import excerpt
from grantpool.rules.yamlsrc import ConfigError

# What a check can raise on data it did not foresee.  A crash is reported as a
# RuleCrash naming the rule (never swallowed); anything else propagates.
CRASHES = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError)

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
    "unpaid_commitment": unpaid_commitment,
    "voucher": voucher,
}


def load(path: Path) -> tuple[RuleSet | None, list[ConfigError]]:
    """Read and validate a rules file: ``(ruleset, [])`` or ``(None, errors)``."""
    return load_rules(path, KINDS)


def crash(where: dict[str, object], rule: str, exc: BaseException) -> RuleCrash:
    """The error for a rule (or the engine) that stopped with *exc*."""
    why = f"{type(exc).__name__}: {excerpt(str(exc), quote=False)}"
    what = "the rules engine" if rule == "rules-engine" else "the rule"
    return RuleCrash(dict(where), f"error [{rule}] {what} stopped ({why}); the books were "
                                  f"not checked against it: report this with the rules file",
                     None, rule)


def run(
    entries: list[data.Directive], ruleset: RuleSet, as_of: datetime.date,
    files: tuple[str, ...] = (),
) -> list[Problem | RuleCrash]:
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


def _check(kind: Kind, rule: Any, index: Index, ctx: Context, ruleset: RuleSet,
           ) -> list[Problem] | list[RuleCrash]:
    try:
        return kind.check(rule, index, ctx)
    except CRASHES as exc:
        where = {"filename": ruleset.filename, "lineno": ruleset.lines.get(rule.id, 0)}
        return [crash(where, rule.id, exc)]


def _run(
    entries: list[data.Directive], ruleset: RuleSet, as_of: datetime.date,
    files: tuple[str, ...],
) -> list[Problem | RuleCrash]:
    # entries come sorted by date: when the last is judged, all are (no copy needed)
    judged = entries if not entries or entries[-1].date <= as_of else [
        e for e in entries if e.date <= as_of]
    index = build_index(judged)
    ctx = Context(ruleset.pool, as_of, files)
    findings: list[Problem | RuleCrash] = []
    for kind, rule in ruleset.rules:
        findings.extend(_check(kind, rule, index, ctx, ruleset))
    if index.transfers:  # books holding both halves of a transfer pair them here
        from grantpool.federation.pairing import in_one_ledger  # noqa: PLC0415 (heavy, rare)
        findings.extend(in_one_ledger(index.transfers, index.roles, ruleset.pool.transfer_days))
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

