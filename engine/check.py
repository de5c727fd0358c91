"""``grantpool check``: every problem in the books, each with its file and line."""

from __future__ import annotations

import datetime
from pathlib import Path

from engine.findings import Report, from_error
from engine.loading import load


def check(ledger: Path, as_of: datetime.date) -> Report:
    """Load *ledger* and report every error of the loader and of the rules plugin.

    *as_of* is the day the check is made for; loader errors do not depend on it.
    Raises ``engine.loading.CannotLoad`` when the books cannot be read at all.
    """
    _, errors, _ = load(ledger)
    findings = sorted(
        (from_error(e) for e in errors),
        key=lambda f: (f.filename, f.lineno, f.rule, f.message),
    )
    return Report(ledger, as_of, tuple(findings))
