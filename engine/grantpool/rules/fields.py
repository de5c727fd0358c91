"""Typed field readers over YAML nodes that collect errors instead of raising.

Each reader returns a value of the asked type, or ``None`` after recording an
error that names the file, the line, the owner (e.g. a rule id) and what to do.
Numbers are range-checked where they are read (``low``/``high``): money is a
finite ``Decimal`` from 0 to ``MAX_MONEY`` with at most two decimals, shares
lie within 0-1, day and month counts within a century, dates within
``FIRST_DAY`` .. ``LAST_DAY`` (so that a window of a century never leaves the
calendar).  A message quotes at most a short excerpt of what was written.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from grantpool.rules.yamlbounds import excerpt
from grantpool.rules.yamlsrc import ConfigError, Node

MAX_MONEY = Decimal(10) ** 12  # a thousand billion: more than any pool or state budget
MAX_DAYS = 36_525  # a century of days
MAX_MONTHS = 1_200  # a century of months
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2199, 12, 31)


class Fields:
    """Read typed fields of one YAML mapping; errors go to ``errors``."""

    def __init__(self, node: Node, owner: str, errors: list[ConfigError]) -> None:
        self.node = node
        self.owner = owner
        self.errors = errors

    def fail(self, key: str | None, message: str) -> None:
        self.errors.append(ConfigError(self.node.source(key), f"{self.owner}: {message}"))

    def _get(self, key: str, required: bool) -> Any:
        """The value of *key*; ``None`` when absent or empty (an error if required)."""
        value = self.node.get(key)
        if value is None and required:
            if key in self.node:
                self.fail(key, f"'{key}' is empty; give it a value")
            else:
                self.fail(None, f"missing field '{key}'; add it")
        return value

    def text(self, key: str, required: bool = True) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(key, f"'{key}' must be text, got {excerpt(value)}")
            return None
        return value

    def decimal(self, key: str, required: bool = True, low: Decimal | int | None = None,
                high: Decimal | int | None = None, places: int | None = None) -> Decimal | None:
        """A finite number, within ``low`` .. ``high`` and ``places`` decimals when given."""
        value = self._get(key, required)
        if value is None:
            return None
        return self.as_decimal(key, value, low, high, places)

    def money(self, key: str, required: bool = True) -> Decimal | None:
        """An amount: 0 to ``MAX_MONEY``, at most two decimals."""
        return self.decimal(key, required, 0, MAX_MONEY, 2)

    def as_decimal(self, key: str, value: Any, low: Decimal | int | None = None,
                   high: Decimal | int | None = None,
                   places: int | None = None) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            self.fail(key, f"'{key}' must be a number, got {excerpt(value)}")
            return None
        try:
            number = value if isinstance(value, Decimal) else Decimal(
                value if isinstance(value, int) else value.strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.fail(key, f"'{key}' must be a number like 50000.00, got {excerpt(value)}")
            return None
        return number if self.within(key, number, low, high, places) else None

    def within(self, key: str, number: Decimal | int, low: Decimal | int | None,
               high: Decimal | int | None, places: int | None = None) -> bool:
        """Whether *number* lies in ``low`` .. ``high`` (an error when not)."""
        shown = excerpt(number, quote=False)
        if low is not None and number < low:
            what = "0 or more" if low == 0 else f"at least {low}"
            self.fail(key, f"'{key}' must be {what}, got {shown}")
            return False
        if high is not None and number > high:
            self.fail(key, f"'{key}' must be at most {high}, got {shown}")
            return False
        exponent = number.as_tuple().exponent if isinstance(number, Decimal) else 0
        if places is not None and isinstance(exponent, int) and exponent < -places:
            self.fail(key, f"'{key}' has more than {places} decimals, got {shown}")
            return False
        return True

    def integer(self, key: str, required: bool = True, low: int | None = None,
                high: int | None = None) -> int | None:
        """A whole number, within ``low`` .. ``high`` when given."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"'{key}' must be a whole number, got {excerpt(value)}")
            return None
        return value if self.within(key, value, low, high) else None

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"'{key}' must be true or false, got {excerpt(value)}")
            return default
        return value

    def date(self, key: str, required: bool = True, bounded: bool = False) -> datetime.date | None:
        """A date; with ``bounded``, one within ``FIRST_DAY`` .. ``LAST_DAY``."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            self.fail(key, f"'{key}' must be a date written YYYY-MM-DD, got {excerpt(value)}")
            return None
        if bounded and not FIRST_DAY <= value <= LAST_DAY:
            self.fail(key, f"'{key}' must lie between {FIRST_DAY} and {LAST_DAY}, got {value}")
            return None
        return value

    def mapping(self, key: str, required: bool = True) -> Node | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, Node):
            self.fail(key, f"'{key}' must be a mapping (key: value lines), got {excerpt(value)}")
            return None
        return value

    def sub(self, key: str, required: bool = True) -> Fields | None:
        node = self.mapping(key, required)
        return None if node is None else Fields(node, f"{self.owner}.{key}", self.errors)
