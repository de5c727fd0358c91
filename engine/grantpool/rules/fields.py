"""Typed field readers over YAML nodes that collect errors instead of raising.

Each reader returns a value of the asked type, or ``None`` after recording an
error that names the file, the line, the owner (e.g. a rule id) and what to do.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from grantpool.rules.yamlsrc import ConfigError, Node


class Fields:
    """Read typed fields of one YAML mapping; errors go to ``errors``."""

    def __init__(self, node: Node, owner: str, errors: list[ConfigError]) -> None:
        self.node = node
        self.owner = owner
        self.errors = errors

    def fail(self, key: str | None, message: str) -> None:
        self.errors.append(ConfigError(self.node.source(key), f"{self.owner}: {message}"))

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.node:
            if required:
                self.fail(None, f"missing field '{key}'; add it")
            return None
        return self.node[key]

    def text(self, key: str, required: bool = True) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"'{key}' must be text, got {value!r}")
            return None
        return value

    def decimal(self, key: str, required: bool = True) -> Decimal | None:
        value = self._get(key, required)
        if value is None:
            return None
        return self.as_decimal(key, value)

    def as_decimal(self, key: str, value: Any) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.fail(key, f"'{key}' must be a number, got {value!r}")
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"'{key}' must be a number like 50000.00, got {value!r}")
            return None

    def integer(self, key: str, required: bool = True) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"'{key}' must be a whole number, got {value!r}")
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, got {value!r}")
            return default
        return value

    def date(self, key: str, required: bool = True) -> datetime.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        self.fail(key, f"'{key}' must be a date written YYYY-MM-DD, got {value!r}")
        return None

    def mapping(self, key: str, required: bool = True) -> Node | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, Node):
            self.fail(key, f"'{key}' must be a mapping (key: value lines), got {value!r}")
            return None
        return value

    def sub(self, key: str, required: bool = True) -> Fields | None:
        node = self.mapping(key, required)
        return None if node is None else Fields(node, f"{self.owner}.{key}", self.errors)
