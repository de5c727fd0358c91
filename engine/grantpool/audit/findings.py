"""Findings: what a check found, in one shape for every command.

A finding comes from the Beancount loader (``rule == "beancount"``), from a rule
of the rules engine, or from a bad rules file.  JSON shape (shared by commands)::

    {"ledger": str, "as_of": "YYYY-MM-DD", "ok": bool,
     "findings": [{"rule", "severity", "date", "account", "message",
                   "source": {"filename", "lineno"}}]}
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    filename: str
    lineno: int
    date: datetime.date | None = None
    account: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "date": self.date.isoformat() if self.date else None,
            "account": self.account,
            "message": self.message,
            "source": {"filename": self.filename, "lineno": self.lineno},
        }

    def to_text(self) -> str:
        return f"{self.filename}:{self.lineno}: {self.severity}: [{self.rule}] {self.message}"


def from_error(error: Any) -> Finding:
    """A finding for any Beancount-style error value (``source``, ``message``, ``entry``)."""
    source = error.source or {}
    entry = getattr(error, "entry", None)
    account = getattr(entry, "account", None) if entry is not None else None
    rule = getattr(error, "rule", "beancount")
    severity: Severity = "warning" if getattr(error, "severity", "") == "warning" else "error"
    return Finding(
        rule=rule,
        severity=severity,
        message=str(error.message).strip().removeprefix(f"{severity} [{rule}] "),
        filename=str(source.get("filename", "<unknown>")),
        lineno=int(source.get("lineno") or 0),
        date=getattr(entry, "date", None),
        account=account if isinstance(account, str) else None,
    )


@dataclass(frozen=True)
class Report:
    ledger: Path
    as_of: datetime.date
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_json(self) -> str:
        doc = {
            "ledger": str(self.ledger),
            "as_of": self.as_of.isoformat(),
            "ok": self.ok,
            "findings": [f.to_json() for f in self.findings],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        lines = [f.to_text() for f in self.findings]
        errors, warnings = self.count("error"), self.count("warning")
        verdict = "OK" if self.ok else "FAILED"
        lines.append(
            f"{verdict}: {self.ledger} as of {self.as_of}: {errors} error(s), {warnings} warning(s)"
        )
        return "\n".join(lines)
