"""The inbox: import each waiting statement once, archive it when booked.

A statement that cannot be imported, for any reason the import can give (a malformed
file, an unreadable one, books busy or unreadable, a rules file that fails), is
*refused*: it stays in the inbox (the next run tries it again, so a passing cause such
as busy books heals itself), it becomes an error finding mailed once to its
municipality and the ministry, and the run fails (exit 2) until someone removes or
replaces it.  The other statements are imported all the same.  On a federation each
statement goes to its entity's own books (``grantpool.bank.imports``).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
from pathlib import Path

from grantpool.audit.findings import Finding
from grantpool.bank.formats import is_statement
from grantpool.bank.imports import NoBankAccount, import_statement
from grantpool.bank.statement import StatementError
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules
from grantpool.books.writing import WriteRefused
from grantpool.generate.books import slug
from grantpool.scheduled.config import Schedule
from grantpool.scheduled.outcome import Noticed, Outcome, reason

MATCH_DAYS = 5
# What an import can raise for a bad statement or books it cannot write: the project's
# own errors, and the standard ones a malformed file gives (csv.Error for an oversized
# field or stray line ends, UnicodeError, ValueError and ArithmeticError for bad values,
# OSError for a file or folder that cannot be read or written).
REFUSED = (StatementError, NoBankAccount, WriteRefused, CannotLoad, NoRules, csv.Error,
           UnicodeError, ValueError, ArithmeticError, LookupError, OSError)


def waiting(inbox: Path) -> list[Path]:
    """The statements in the inbox, in any format the import reads (``.csv``, ``.xml``,
    ``.053``, ``.camt``, ``.sta``, ``.940``, ``.mt940``, and ``.txt`` holding MT940; the
    format itself is told from the content); raises OSError if it cannot be listed."""
    return sorted(p for p in inbox.iterdir() if p.is_file() and is_statement(p))


def import_inbox(schedule: Schedule, ledger: Path, today: datetime.date,
                 outcome: Outcome) -> None:
    try:
        statements = waiting(schedule.inbox)
    except OSError as exc:
        outcome.fail(reason(exc, f"inbox {schedule.inbox} cannot be read"))
        return
    if not statements:
        return
    try:
        schedule.archive.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        outcome.fail(reason(exc, f"archive {schedule.archive} cannot be made; "
                                 f"{len(statements)} statement(s) left in the inbox"))
        return
    if not os.access(schedule.archive, os.W_OK | os.X_OK):
        outcome.fail(f"archive {schedule.archive} is not writable; "
                     f"{len(statements)} statement(s) left in the inbox")
        return
    munis = tuple(schedule.mail.municipalities) if schedule.mail else ()
    for statement in statements:
        _one(schedule, ledger, statement, today, munis, outcome)


def _one(schedule: Schedule, ledger: Path, statement: Path, today: datetime.date,
         munis: tuple[str, ...], outcome: Outcome) -> None:
    try:
        import_statement(ledger, statement, None, MATCH_DAYS)
    except REFUSED as exc:
        why = reason(exc)
        outcome.refused.append(f"{statement.name}: {why}")
        outcome.fail(f"statement {statement.name} refused, left in the inbox: {why}")
        outcome.noticed.append(refusal(statement, exc, why, today, municipality(statement, munis)))
        return
    try:
        statement.replace(free_name(schedule.archive, statement))
    except OSError as exc:
        outcome.fail(reason(exc, f"statement {statement.name} booked but not archived (the "
                                 f"next run finds it booked already)"))
        return
    outcome.imported.append(statement.name)


def free_name(archive: Path, statement: Path) -> Path:
    target, n = archive / statement.name, 1
    while target.exists():
        target = archive / f"{statement.stem}.{n}{statement.suffix}"
        n += 1
    return target


def municipality(statement: Path, munis: tuple[str, ...]) -> str | None:
    """The one municipality whose name is in the file name (as the import tells it)."""
    found = [m for m in munis if slug(m) in statement.stem.lower()]
    return found[0] if len(found) == 1 else None


def refusal(statement: Path, exc: BaseException, why: str, today: datetime.date,
            muni: str | None) -> Noticed:
    """The refused statement as an error finding, keyed by its name and content: mailed
    once, and again only when a different file comes under the same name."""
    line = exc.line if isinstance(exc, StatementError) else 0
    finding = Finding("statement-refused", "error",
                      f"{statement.name} was not imported and stays in the inbox: {why}",
                      str(statement), line, today)
    return Noticed(finding, muni, f"statement-refused|{statement.name}|{digest(statement)}")


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                sha.update(block)
    except OSError:
        return "unreadable"
    return sha.hexdigest()[:16]
