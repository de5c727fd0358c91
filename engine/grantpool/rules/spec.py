"""The ``rules`` section of a rules file: a list of rules, each a mapping with
``id``, ``kind``, ``severity`` (error or warning), ``source`` and the fields of
its kind.  Parsing returns ``(rules, errors)`` and never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from grantpool.privacy.cpr import looks_like_cpr
from grantpool.rules.fields import MAX_MONEY, Fields
from grantpool.rules.pooldef import PoolDef, parse_pool
from grantpool.rules.yamlbounds import excerpt
from grantpool.rules.yamlsrc import ConfigError, Node, load_yaml

SEVERITIES = ("error", "warning")
RULE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
AMOUNT = re.compile(r"\s*(-?[0-9]+(?:\.[0-9]+)?)\s+([A-Z][A-Z0-9'._-]{0,22}[A-Z0-9])\s*")


class Common(NamedTuple):
    id: str
    kind: str
    severity: str
    source: str
    filename: str
    lineno: int


class RuleFields(Fields):
    """Field readers for one rule, with the pool's currency for amounts."""

    def __init__(self, node: Node, owner: str, errors: list[ConfigError], pool: PoolDef):
        super().__init__(node, owner, errors)
        self.pool = pool

    def amount(self, key: str, required: bool = True) -> Decimal | None:
        """An amount written ``50000.00 DKK``, in the pool's currency: 0 or more."""
        value = self._get(key, required)
        if value is None:
            return None
        match = AMOUNT.fullmatch(value) if isinstance(value, str) else None
        if not match:
            self.fail(key, f"'{key}' must be an amount like '50000.00 {self.pool.currency}'")
            return None
        number, currency = match.groups()
        if currency != self.pool.currency:
            self.fail(key, f"'{key}' is in {currency}, but the pool's currency is "
                           f"{self.pool.currency}; write it in {self.pool.currency}")
            return None
        amount = Decimal(number)
        return amount if self.within(key, amount, 0, MAX_MONEY, 2) else None

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str | None:
        value = self._get(key, default is None)
        if value is None:
            return default
        if value not in options:
            self.fail(key, f"'{key}' must be one of {', '.join(options)}; got {excerpt(value)}")
            return None
        return str(value)

    def words(self, key: str, required: bool = False) -> tuple[str, ...] | None:
        value = self._get(key, required)
        if value is None:
            return None if required else ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"'{key}' must be a list of words, e.g. [alcohol, gambling]; "
                           f"got {excerpt(value)}")
            return None
        return tuple(value)


COMMON_FIELDS = ("id", "kind", "severity", "source")


class Kind(Protocol):
    """What each rule kind module provides: its fields, a parser and a check."""

    @property
    def FIELDS(self) -> tuple[str, ...]: ...  # a module constant in each kind

    def parse(self, common: Common, f: RuleFields) -> Any: ...

    def check(self, rule: Any, index: Any, ctx: Any) -> list[Any]: ...


@dataclass(frozen=True)
class RuleSet:
    pool: PoolDef
    rules: tuple[tuple[Kind, Any], ...]  # (the kind's module, the parsed rule)
    filename: str
    lines: dict[str, int] = field(default_factory=dict)  # rule id -> its line in the file


def _common(node: Node, errors: list[ConfigError], position: int) -> Common | None:
    raw_id = node.get("id")
    named = (isinstance(raw_id, str) and RULE_ID.fullmatch(raw_id)
             and not looks_like_cpr(raw_id))
    owner = f"rule '{raw_id}'" if named else f"rule #{position}"
    f = Fields(node, owner, errors)
    before = len(errors)
    rule_id, kind, severity = f.text("id"), f.text("kind"), f.text("severity")
    source = f.text("source")
    if rule_id is not None and not RULE_ID.fullmatch(rule_id):
        f.fail("id", f"id {excerpt(rule_id)} must be up to 64 lower-case letters, digits, "
                     f"- and _")
    elif rule_id is not None and looks_like_cpr(rule_id):
        f.fail("id", "the id holds a CPR-like number; name the rule by what it checks")
    if severity is not None and severity not in SEVERITIES:
        f.fail("severity", f"severity must be error or warning, got {excerpt(severity)}")
    if len(errors) > before:
        return None
    return Common(rule_id, kind, severity, source, node.filename, node.line)  # type: ignore[arg-type]


def parse_rules(
    doc: Node, pool: PoolDef, kinds: dict[str, Kind]
) -> tuple[list[tuple[Kind, Any]], list[ConfigError]]:
    errors: list[ConfigError] = []
    items = doc.get("rules")
    if not isinstance(items, list):
        return [], [ConfigError(doc.source("rules" if "rules" in doc else None),
                                "'rules' must be a list of rules (- id: …)")]
    rules: list[tuple[Kind, Any]] = []
    seen: set[str] = set()
    for position, node in enumerate(items, 1):
        if not isinstance(node, Node):
            errors.append(ConfigError(doc.source("rules"), f"rule #{position} must be a mapping"))
            continue
        common = _common(node, errors, position)
        if common is None:
            continue
        owner = f"rule '{common.id}'"
        if common.id in seen:
            errors.append(ConfigError(node.source("id"), f"{owner}: the id is used twice"))
        seen.add(common.id)
        if common.kind not in kinds:
            known = ", ".join(sorted(kinds))
            errors.append(ConfigError(node.source("kind"),
                                      f"{owner}: unknown kind {excerpt(common.kind)}; "
                                      f"use one of {known}"))
            continue
        kind = kinds[common.kind]
        for key in node:
            if key not in COMMON_FIELDS and key not in kind.FIELDS:
                known = ", ".join(kind.FIELDS)
                errors.append(ConfigError(node.source(str(key)),
                                          f"{owner}: unknown field {excerpt(key)} for kind "
                                          f"{common.kind}; known fields: {known}"))
        rule = kind.parse(common, RuleFields(node, owner, errors, pool))
        if rule is not None:
            rules.append((kind, rule))
    return rules, errors


def load_rules(path: Path, kinds: dict[str, Kind]) -> tuple[RuleSet | None, list[ConfigError]]:
    """Read a whole rules file: its pool, its categories and its rules."""
    doc, errors = load_yaml(path)
    if errors:
        return None, errors
    pool, errors = parse_pool(doc, path)
    if pool is None:
        return None, errors
    rules, errors = parse_rules(doc, pool, kinds)
    if errors:
        return None, errors
    lines = {str(n.get("id")): n.line for n in doc.get("rules") if isinstance(n, Node)}
    return RuleSet(pool, tuple(rules), str(path), lines), []
