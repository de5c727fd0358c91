"""The Beancount plugin: the rules engine inside bean-check and Fava.

Declare it in the books' main file, the rules file's path relative to that file::

    plugin "grantpool.plugin" "../rules/dk2017.yaml"

or, to judge the books as of a fixed day (default: today)::

    plugin "grantpool.plugin" "{rules: ../rules/dk2017.yaml, as_of: 2019-06-30}"

Findings become error values whose ``source`` is the offending directive, so
bean-check and Fava's Errors page point at it; warnings are marked in the
message (Beancount has no warning level).  A bad rules file becomes errors
naming its file and line.  The plugin never raises: a rule that stops with an
exception becomes a ``RuleCrash`` error naming the rule and its line in the
rules file, so a crash is never silent and the other rules still run.  The
rules file is added to the loader's ``include`` list, so the load cache and
Fava notice its edits.
"""

from __future__ import annotations

import datetime
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import yaml
from beancount.core import data

from grantpool.rules import engine
from grantpool.rules.errors import RulesFileError

__plugins__ = ("grantpool_rules",)

# `grantpool check --as-of` sets this for the load it makes; it wins over the config.
AS_OF: ContextVar[datetime.date | None] = ContextVar("grantpool_as_of", default=None)
# The checked entry path sets this False for the load it judges from: it runs the rules
# itself, as of the entry's day, and would otherwise run them twice.
RUN_RULES: ContextVar[bool] = ContextVar("grantpool_run_rules", default=True)


def rules_path(config: str, options_map: dict[str, Any]) -> Path:
    """The rules file a plugin config names, relative to the books' main file."""
    return _config(config, options_map)[0]


def _config(config: str | None, options_map: dict[str, Any]) -> tuple[Path, Any]:
    text = (config or "").strip()
    try:
        parsed = yaml.safe_load(text) if text.startswith("{") and len(text) < 4096 else None
    except (yaml.YAMLError, ValueError):
        parsed = None
    rules, as_of = (parsed.get("rules"), parsed.get("as_of")) if isinstance(parsed, dict) else (
        text, None)
    base = Path(options_map.get("filename") or ".").parent
    return base / str(rules or ""), as_of


def grantpool_rules(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    path, as_of = _config(config, options_map)
    where = {"filename": options_map.get("filename", "<plugin>"), "lineno": 0}
    if not str(config or "").strip():
        return entries, [RulesFileError(where, "the grantpool.plugin needs a rules file: "
                                               'plugin "grantpool.plugin" "../rules/<pool>.yaml"')]
    includes = options_map.setdefault("include", [])
    if str(path.resolve()) not in includes:
        includes.append(str(path.resolve()))
    if not RUN_RULES.get():
        return entries, []
    try:
        ruleset, problems = engine.load(path)
        if ruleset is None:
            return entries, [RulesFileError(p.source, f"rules file: {p.message}")
                             for p in problems]
        day = AS_OF.get() or (as_of if isinstance(as_of, datetime.date) else
                              datetime.date.today())
        return entries, list(engine.run(entries, ruleset, day, tuple(includes)))
    except engine.CRASHES as exc:  # outside any one rule: reading the file, indexing the books
        return entries, [engine.crash({"filename": str(path), "lineno": 0}, "rules-engine", exc)]
