"""One scheduled run, start to end.  Exit codes: 0 all clear, 1 findings (an
error finding, or a statement refused), 2 could not run (books unreadable, a
bad rules or schedule file, or mail could not be sent)."""

from __future__ import annotations

import datetime
import os
import smtplib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.audit.findings import Finding, from_error
from grantpool.bank.imports import NoBankAccount, import_statement
from grantpool.bank.statement import StatementError
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.books.writing import WriteRefused
from grantpool.scheduled import notify, state
from grantpool.scheduled.config import Schedule
from grantpool.scheduled.watch import time_warnings

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"  # no pickle cache for an unattended job


@dataclass
class Noticed:
    finding: Finding
    municipality: str | None

    @property
    def key(self) -> str:
        """Stable across runs: no line number, no figure that grows day by day."""
        f = self.finding
        subject = f.message.split(":", 1)[0] if f.message.startswith("P-") else ""
        return "|".join([f.severity, f.rule, Path(f.filename).name, str(f.date),
                         f.account or "", subject])


@dataclass
class Outcome:
    imported: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    noticed: list[Noticed] = field(default_factory=list)
    new: list[Noticed] = field(default_factory=list)
    mailed: int = 0
    mail_error: str | None = None
    error: str | None = None

    @property
    def exit_code(self) -> int:
        if self.error or self.mail_error:
            return 2
        errors = any(n.finding.severity == "error" for n in self.noticed)
        return 1 if errors or self.refused else 0


def import_inbox(schedule: Schedule, ledger: Path, outcome: Outcome) -> None:
    """Import each waiting statement once; archive it when booked, leave it when refused."""
    schedule.archive.mkdir(parents=True, exist_ok=True)
    for statement in sorted(schedule.inbox.glob("*.csv")):
        try:
            import_statement(ledger, statement, None, 5)
        except (StatementError, NoBankAccount, WriteRefused, LookupError) as exc:
            outcome.refused.append(str(exc))
            continue
        target = schedule.archive / statement.name
        n = 1
        while target.exists():
            target = schedule.archive / f"{statement.stem}.{n}{statement.suffix}"
            n += 1
        statement.replace(target)
        outcome.imported.append(statement.name)


def _municipality_of(error: Any, opened: dict[str, str]) -> str | None:
    entry = getattr(error, "entry", None)
    accounts = [getattr(entry, "account", None)]
    if isinstance(entry, data.Transaction):
        accounts += [p.account for p in entry.postings]
    if isinstance(entry, data.Event) and entry.description in opened.values():
        return str(entry.description)
    return next((opened[a] for a in accounts if a in opened), None)


def notice(schedule: Schedule, ledger: Path, today: datetime.date, outcome: Outcome) -> None:
    books = open_books(ledger, today)
    opened = {e.account: e.meta["municipality"] for e in books.entries
              if isinstance(e, data.Open) and isinstance(e.meta.get("municipality"), str)}
    bad_rules = [e for e in books.errors if getattr(e, "rule", "") == "rules-file"]
    if bad_rules:
        raise NoRules(f"{bad_rules[0].source['filename']}:{bad_rules[0].source['lineno']}: "
                      f"{bad_rules[0].message}")
    outcome.noticed = [Noticed(from_error(e), _municipality_of(e, opened)) for e in books.errors]
    outcome.noticed += [Noticed(f, m) for f, m in time_warnings(
        books.entries, books.rules, today, schedule.thresholds)]


def mail_new(schedule: Schedule, ledger: Path, outcome: Outcome) -> None:
    already = state.mailed(schedule.state)
    current = {n.key for n in outcome.noticed}
    outcome.new = [n for n in outcome.noticed if n.key not in already]
    if outcome.new and schedule.mail is not None:
        batches = []
        groups = {m for m in (n.municipality for n in outcome.new) if m}
        for muni in sorted(groups):
            mine = [n.finding for n in outcome.new if n.municipality == muni]
            to = schedule.mail.municipalities.get(muni, ())
            if to:
                batches.append((to, f"[grantpool] {len(mine)} new finding(s) for {muni}",
                                notify.body(mine, str(ledger))))
        if schedule.mail.ministry:
            every = [n.finding for n in outcome.new]
            batches.append((schedule.mail.ministry, f"[grantpool] {len(every)} new finding(s)",
                            notify.body(every, str(ledger))))
        try:
            outcome.mailed = notify.send(schedule.mail, batches)
        except (OSError, smtplib.SMTPException) as exc:
            outcome.mail_error = f"{type(exc).__name__}: {exc}"
            state.remember(schedule.state, already & current)
            return
    state.remember(schedule.state, (already & current) | {n.key for n in outcome.new})


def run(schedule: Schedule, ledger: Path, today: datetime.date) -> Outcome:
    schedule.state.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    try:
        import_inbox(schedule, ledger, outcome)
        notice(schedule, ledger, today, outcome)
        mail_new(schedule, ledger, outcome)
    except (CannotLoad, NoRules) as exc:
        outcome.error = str(exc)
    _record(schedule, ledger, today, outcome)
    return outcome


def _record(schedule: Schedule, ledger: Path, today: datetime.date, outcome: Outcome) -> None:
    new = {n.key for n in outcome.new}
    summary = {
        "errors": sum(1 for n in outcome.noticed if n.finding.severity == "error"),
        "warnings": sum(1 for n in outcome.noticed if n.finding.severity == "warning"),
        "new": len(outcome.new), "imported": outcome.imported, "refused": outcome.refused,
        "mailed": outcome.mailed, "mail_error": outcome.mail_error, "error": outcome.error,
        "exit_code": outcome.exit_code,
    }
    ran_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    findings = [{**n.finding.to_json(), "municipality": n.municipality, "key": n.key,
                 "new": n.key in new} for n in outcome.noticed]
    state.write_status(schedule.state, {"ledger": str(ledger), "as_of": today.isoformat(),
                                        "ran_at": ran_at, "ok": outcome.exit_code == 0,
                                        "summary": summary, "findings": findings})
    state.append_history(schedule.state, {"ran_at": ran_at, "as_of": today.isoformat(),
                                          **{k: v for k, v in summary.items()
                                             if k not in ("refused",)}})
