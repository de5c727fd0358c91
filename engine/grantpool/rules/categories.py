"""The pool's purchase categories: the code a support person records, the expense
account component it books to, a realistic price range, and its names by language.

Read from the rules file's ``categories`` section::

    health_dental: {account: HealthDental, price: [5000, 45000],
                    label: {da: "Tandbehandling", en: "Dental treatment"}}
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from grantpool.rules.fields import MAX_MONEY, Fields
from grantpool.rules.yamlbounds import excerpt
from grantpool.rules.yamlsrc import ConfigError, Node

ACCOUNT_COMPONENT = re.compile(r"^[A-Z][A-Za-z0-9-]{0,63}$")
CATEGORY_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
LANGUAGES = ("da", "en")  # those grantpool.i18n has texts for


class Category(NamedTuple):
    code: str
    account: str
    price_low: Decimal
    price_high: Decimal
    labels: tuple[tuple[str, str], ...] = ()  # (language, name) from `label: {da: …, en: …}`

    def label(self, lang: str) -> str:
        """The category's name in *lang*; its code when the rules file names none."""
        return dict(self.labels).get(lang) or self.code


def _labels(f: Fields, spec: Node) -> tuple[tuple[str, str], ...]:
    """``label: {da: …, en: …}``: optional names of a category by language."""
    node = spec.get("label")
    if node is None:
        return ()
    if not isinstance(node, Node) or not all(
            k in LANGUAGES and isinstance(v, str) and v for k, v in node.items()):
        f.fail("label", f"label must be {{da: name, en: name}} ({', '.join(LANGUAGES)})")
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in node.items()))


def parse_categories(node: Node, errors: list[ConfigError]) -> tuple[Category, ...]:
    """The ``categories`` section: each well-formed category; errors for the rest."""
    result = []
    for code, spec in node.items():
        owner = f"category {excerpt(code)}"
        if not CATEGORY_CODE.match(str(code)) or not isinstance(spec, Node):
            where = node.source(str(code))
            msg = f"{owner}: write it as `code: {{account: Name, price: [low, high]}}`"
            errors.append(ConfigError(where, msg + " with a lower-case code"))
            continue
        f = Fields(spec, owner, errors)
        account = f.text("account")
        if account is not None and not ACCOUNT_COMPONENT.match(account):
            f.fail("account", f"account {excerpt(account)} must start upper-case, "
                              f"letters/digits/-")
        price = spec.get("price")
        if not (isinstance(price, list) and len(price) == 2):
            f.fail("price", "price must be a list [low, high]")
            continue
        low, high = (f.as_decimal("price", p, 0, MAX_MONEY, 2) for p in price)
        if low is not None and high is not None and high < low:
            f.fail("price", f"price [{low}, {high}] must be [low, high], low first")
            continue
        if account and low is not None and high is not None:
            result.append(Category(str(code), account, low, high, _labels(f, spec)))
    return tuple(result)
