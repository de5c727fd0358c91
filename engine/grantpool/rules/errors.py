"""Error values of the rules engine, shaped like Beancount's own errors.

``source`` is the offending directive's meta (file and line), so bean-check and
Fava's Errors page point at the user's line.  Beancount has no warning level:
the message starts with the severity and the rule id so that a warning is told
from an error in bean-check's output and on Fava's Errors page alike.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class RuleError(NamedTuple):
    """A finding of a rule; ``severity`` is "error" or "warning"."""

    source: dict[str, Any]
    message: str
    entry: Any
    rule: str
    severity: str


class RuleWarning(NamedTuple):
    """A warning of a rule: the same fields; Fava shows the class name as its type."""

    source: dict[str, Any]
    message: str
    entry: Any
    rule: str
    severity: str


class RulesFileError(NamedTuple):
    """The rules file could not be used; the books were not checked against it."""

    source: dict[str, Any]
    message: str
    entry: None = None
    rule: str = "rules-file"
    severity: str = "error"


class RuleCrash(NamedTuple):
    """A rule that stopped with an exception: the books were not checked against it.

    ``source`` is the rule's line in the rules file; ``rule`` its id.  Validation is
    meant to make this impossible; it exists so that a crash is never silent.
    """

    source: dict[str, Any]
    message: str
    entry: None = None
    rule: str = "rules-engine"
    severity: str = "error"


def finding(
    rule: Any, entry: Any, message: str, severity: str | None = None
) -> RuleError | RuleWarning:
    """A RuleError of *rule* (a parsed rule spec) pointing at *entry*."""
    level = severity or rule.severity
    meta = getattr(entry, "meta", None) or {}
    source = {"filename": meta.get("filename", "<unknown>"), "lineno": meta.get("lineno", 0)}
    kind = RuleWarning if level == "warning" else RuleError
    return kind(source, f"{level} [{rule.id}] {message}", entry, rule.id, level)


Problem = RuleError | RuleWarning
