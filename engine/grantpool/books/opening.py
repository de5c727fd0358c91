"""Open the books with the rules file they declare, for commands that need both."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grantpool import plugin
from grantpool.books.loading import load
from grantpool.rules import engine
from grantpool.rules.spec import RuleSet
from grantpool.rules.yamlsrc import location


class NoRules(Exception):
    """The books name no usable rules file; the message says what to do."""


@dataclass(frozen=True)
class Books:
    path: Path
    entries: list[Any]
    errors: list[Any]
    options: dict[str, Any]
    rules: RuleSet


def declared_rules(options: Mapping[str, Any]) -> Path | None:
    """The rules file of the books' ``plugin "grantpool.plugin" "…"`` line, if any."""
    for name, config in options.get("plugin", []):
        if name == "grantpool.plugin" and config:
            return plugin.rules_path(config, dict(options))
    return None


def open_books(path: Path, as_of: datetime.date, rules: Path | None = None,
               run_rules: bool = True) -> Books:
    """Load *path* (rules judged as of *as_of*) and read its rules file.

    With *run_rules* false the books' plugin does not run the rules during the load
    (a caller that runs them itself).  Raises ``grantpool.books.loading.CannotLoad``
    for unreadable books and ``NoRules`` when no rules file is declared or given, or
    it is malformed.
    """
    token, running = plugin.AS_OF.set(as_of), plugin.RUN_RULES.set(run_rules)
    try:
        entries, errors, options = load(path)
    finally:
        plugin.AS_OF.reset(token)
        plugin.RUN_RULES.reset(running)
    rules_file = rules or declared_rules(options)
    if rules_file is None:
        raise NoRules(f"{path}: the books declare no rules file; add "
                      f'plugin "grantpool.plugin" "<rules file>" or pass --rules')
    ruleset, problems = engine.load(rules_file)
    if ruleset is None:
        first = problems[0]
        raise NoRules(f"{location(first.source)}: {first.message}")
    return Books(path, entries, errors, options, ruleset)
