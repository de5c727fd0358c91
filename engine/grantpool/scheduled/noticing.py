"""The check as of today (``grantpool.scheduled.judging``): of one set of books, or of
each entity of a federation on its own (``grantpool.scheduled.federated``)."""

from __future__ import annotations

import datetime
from pathlib import Path

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.federation.discover import find
from grantpool.scheduled.config import Schedule
from grantpool.scheduled.federated import notice_federation
from grantpool.scheduled.judging import judge
from grantpool.scheduled.outcome import Outcome


def notice(schedule: Schedule, ledger: Path, today: datetime.date, outcome: Outcome) -> None:
    """Check the books at *ledger* as of *today*; what is found goes into *outcome*."""
    federation = find(ledger)
    if federation is not None:
        notice_federation(federation, today, schedule.thresholds, outcome)
        return
    try:
        books = open_books(ledger, today)
    except (CannotLoad, NoRules) as exc:
        outcome.fail(f"the books could not be checked: {exc}")
        return
    noticed, failures = judge(books, today, schedule.thresholds)
    outcome.noticed += noticed
    for failure in failures:
        outcome.fail(failure)
    outcome.checked = not failures
