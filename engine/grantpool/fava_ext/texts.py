"""The words and number formats of a page, in the page's language.

A page's language is its ``?lang=`` parameter, else the pool's (``language:`` in the
rules file), else English.  ``Texts`` carries the translator (``t`` in the template)
and formats figures the way a reader of that language expects; names that the books
hold as codes (statuses, tags, categories) become words here, the code kept for a
tooltip.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from grantpool.i18n import LANGUAGES, N_, NAMES, Translator, translator
from grantpool.i18n import formats as fmt
from grantpool.rules.pooldef import PoolDef

STATUS = {
    "active": N_("active"), "ended": N_("ended"), "moved_out": N_("moved out"),
    "excluded": N_("excluded"), "not_started": N_("not started"), "closed": N_("closed"),
}
KIND = {
    "budget": N_("budget granted"), "commitment": N_("commitment"),
    "purchase": N_("purchase"), "return": N_("returned to the grant"),
    "budget-change": N_("budget changed"),
}
ENTRY = {"budget": N_("Budget granted or raised"), "commitment": N_("Commitment"),
         "return": N_("Return what is left to the grant"), "moved_out": N_("Moved out"),
         "excluded": N_("Excluded")}
EVENT = {"moved_out": N_("Moved out"), "excluded": N_("Excluded")}
PACE = {"fast": N_("spending ahead of time"), "slow": N_("spending behind time"),
        "even": N_("spending in step with time")}
FLOW = {"salary": N_("salary"), "returned": N_("returned to the state"),
        "kept": N_("kept (de-minimis)"), "unspent": N_("not yet spent"), "pool": N_("Pool")}


def flow_order(key: str) -> tuple[int, str]:
    """Where a use of money stands in the pictures: categories first (by code), then
    salary, returned, kept, not yet spent."""
    order = ("salary", "returned", "kept", "unspent")
    return (1 + order.index(key), "") if key in order else (0, key)


@dataclass(frozen=True)
class Texts:
    lang: str
    t: Translator
    pool: PoolDef | None = None

    @property
    def languages(self) -> list[tuple[str, str]]:
        """(code, name) of every language a page can be read in."""
        return [(code, NAMES[code]) for code in LANGUAGES]

    def money(self, value: Decimal) -> str:
        return fmt.money(value, self.lang)

    def whole(self, value: Decimal) -> str:
        return fmt.whole(value, self.lang)

    def percent(self, value: Decimal) -> str:
        return fmt.percent(value, self.lang)

    def day(self, value: datetime.date | None) -> str:
        return fmt.day(value, self.lang)

    def status(self, code: str) -> str:
        return self.t(STATUS.get(code, code))

    def kind(self, tag: str) -> str:
        return self.t(KIND.get(tag, tag))

    def event(self, kind: str) -> str:
        return self.t(EVENT.get(kind, kind))

    def entry(self, kind: str) -> str:
        """An entry the citizen page's other form records (``entryform.KINDS``)."""
        return self.t(ENTRY.get(kind, kind))

    def pace(self, judgement: str) -> str:
        return self.t(PACE[judgement])

    def flow(self, key: str) -> str:
        return self.t(FLOW.get(key, key))

    def category(self, code: str | None) -> str:
        """The category's name from the rules file (its code when it has none)."""
        found = self.pool.category(code) if self.pool and code else None
        return found.label(self.lang) if found else (code or "?")


def texts(lang: str, pool: PoolDef | None = None) -> Texts:
    return Texts(lang, translator(lang), pool)
