"""One scheduled run, start to end (exit codes: ``grantpool.scheduled.outcome``).

The run never stops at the first thing that goes wrong: each step records what it could
not do as a one-line failure and the next step runs all the same; the status file says
"started" first (a run killed half-way leaves that), and is rewritten at the end.
"""

from __future__ import annotations

import datetime
import os
import smtplib
from pathlib import Path
from typing import Any

from grantpool.scheduled import notify, state
from grantpool.scheduled.config import Schedule
from grantpool.scheduled.inbox import import_inbox
from grantpool.scheduled.mailing import failure_notice, mail_new
from grantpool.scheduled.noticing import notice
from grantpool.scheduled.notify import MissingCredentials
from grantpool.scheduled.outcome import Outcome, reason

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"  # no pickle cache for an unattended job


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def run(schedule: Schedule, ledger: Path, today: datetime.date) -> tuple[Outcome, str | None]:
    """Do the whole job; returns the outcome and why the status could not be written."""
    outcome = Outcome()
    started = {"ledger": str(ledger), "as_of": today.isoformat(), "ran_at": _now(),
               "ok": False, "summary": {"error": "started, not finished (killed?)"},
               "findings": []}
    try:
        state.write_status(schedule.state, started)
    except OSError as exc:
        outcome.state_ok = False
        outcome.fail(reason(exc, f"state folder {schedule.state} cannot be written"))
    import_inbox(schedule, ledger, today, outcome)
    notice(schedule, ledger, today, outcome)
    mail_new(schedule, ledger, outcome)
    return outcome, record(schedule, ledger, today, outcome)


def status(ledger: Path, today: datetime.date, outcome: Outcome, ran_at: str) -> dict[str, Any]:
    new = {n.key for n in outcome.new}
    summary = {
        "errors": sum(1 for n in outcome.noticed if n.finding.severity == "error"),
        "warnings": sum(1 for n in outcome.noticed if n.finding.severity == "warning"),
        "new": len(outcome.new), "imported": outcome.imported, "refused": outcome.refused,
        "mailed": outcome.mailed, "mail_error": outcome.mail_error, "error": outcome.error,
        "failures": outcome.failures, "exit_code": outcome.exit_code,
    }
    findings = [{**n.finding.to_json(), "municipality": n.municipality, "key": n.key,
                 "new": n.key in new} for n in outcome.noticed]
    return {"ledger": str(ledger), "as_of": today.isoformat(), "ran_at": ran_at,
            "ok": outcome.exit_code == 0, "summary": summary, "findings": findings}


def record(schedule: Schedule, ledger: Path, today: datetime.date,
           outcome: Outcome) -> str | None:
    """Write ``status.json`` and a ``history.jsonl`` line; the reason if that failed."""
    doc = status(ledger, today, outcome, _now())
    line = {k: v for k, v in doc["summary"].items() if k not in ("refused", "failures")}
    try:
        state.write_status(schedule.state, doc)
        state.append_history(schedule.state, {"ran_at": doc["ran_at"], "as_of": doc["as_of"],
                                              **line})
    except OSError as exc:
        return reason(exc, f"status not written to {schedule.state}")
    return None


def record_crash(schedule: Schedule, ledger: Path, today: datetime.date,
                 why: str) -> tuple[Outcome, str | None]:
    """After an unexpected error: the status says why, and the ministry is told."""
    outcome = Outcome()
    outcome.fail(why)
    out = failure_notice(schedule.mail, schedule, ledger, outcome)
    if schedule.mail is not None and out:
        try:
            outcome.mailed = notify.send(schedule.mail, out, lambda item, refused: True)
        except (OSError, smtplib.SMTPException, MissingCredentials) as exc:
            outcome.mail_error = reason(exc)
    return outcome, record(schedule, ledger, today, outcome)
