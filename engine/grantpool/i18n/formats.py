"""Numbers and dates as a reader of each language expects them.

Danish: ``1.785.409,00`` and ``31-12-2019`` (the domain's conventions); English:
``1,785,409.00`` and ISO dates, as the books write them.  Babel's CLDR data gives
the separators, so they match what Fava prints under the books' ``locale`` option.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

LOCALES = {"da": "da_DK", "en": "en_GB"}
MONEY = "#,##0.00"


def locale_of(lang: str) -> str:
    """The CLDR locale of *lang*: ``da_DK`` or ``en_GB``."""
    return LOCALES.get(lang, LOCALES["en"])


# Danish swaps English's separators: 1,234.50 -> 1.234,50 (CLDR da_DK and en_GB).
_DANISH = str.maketrans({",": ".", ".": ","})


def money(value: Decimal, lang: str) -> str:
    """An amount with two decimals and the language's thousands separator: what Babel's
    ``format_decimal(value, "#,##0.00", locale)`` gives, without its cost (a page of a
    national municipality prints some 10,000 amounts; tests/test_i18n.py compares)."""
    text = f"{Decimal(value):,.2f}"
    return text.translate(_DANISH) if locale_of(lang) == LOCALES["da"] else text


def whole(value: Decimal, lang: str) -> str:
    """An amount rounded to whole units, for the pictures' labels."""
    text = f"{Decimal(value):,.0f}"
    return text.translate(_DANISH) if locale_of(lang) == LOCALES["da"] else text


def percent(value: Decimal, lang: str) -> str:
    """A share in per cent with one decimal (``62,5 %`` in Danish)."""
    from babel.numbers import format_decimal  # noqa: PLC0415 (Babel costs a command 50 ms)

    return str(format_decimal(value, format="0.0", locale=locale_of(lang))) + "\u00a0%"


def day(value: datetime.date | None, lang: str) -> str:
    """A date: ``dd-mm-yyyy`` in Danish, ISO in English; empty for none."""
    if value is None:
        return ""
    return value.strftime("%d-%m-%Y") if lang == "da" else value.isoformat()


def plain_number(value: Decimal, decimal_comma: bool) -> str:
    """An amount for a spreadsheet cell: two decimals, no thousands separator."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal_comma else text
