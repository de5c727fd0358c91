"""``grantpool check``: every problem in the books, each with its file and line.

The books' own ``plugin "grantpool.plugin" "<rules file>"`` line runs the rules
engine inside the load, so the findings here are the very ones bean-check and
Fava show; this command only sets the as-of day for that load.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from grantpool import plugin
from grantpool.audit.findings import Finding, Report, from_error
from grantpool.books.loading import load


class BadRules(Exception):
    """The rules file the books declare could not be used; ``findings`` say where."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f.to_text() for f in findings))
        self.findings = findings


def check(ledger: Path, as_of: datetime.date) -> Report:
    """Load *ledger* as of *as_of* and report the loader's and the rules' findings.

    Raises ``grantpool.books.loading.CannotLoad`` when the books cannot be read at all and
    ``BadRules`` when their rules file is malformed or a rule crashed (``rules-engine``):
    neither is a verdict on the books.
    """
    token = plugin.AS_OF.set(as_of)
    try:
        _, errors, _ = load(ledger)
    finally:
        plugin.AS_OF.reset(token)
    return Report(ledger, as_of, tuple(findings_of(errors)))


def findings_of(errors: list[Any]) -> list[Finding]:
    """The load's errors as findings, in file and line order; ``BadRules`` if the rules
    file was malformed or a rule crashed."""
    findings = sorted(
        (from_error(e) for e in errors),
        key=lambda f: (f.filename, f.lineno, f.rule, f.message),
    )
    bad_rules = [f for f in findings if f.rule in ("rules-file", "rules-engine")]
    if bad_rules:
        raise BadRules(bad_rules)
    return findings
