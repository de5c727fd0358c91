"""The grant accounts' words in the reader's language, in the ministry's Danish terms.

``grantpool.audit.grant_accounts`` names its lines in English (with the Danish term in
brackets) and gives each a key; this module translates a line's label by its key, and
its note and section through the catalogue.  A note with a figure in it (``7
citizens``) is matched against the msgid's shape and the figure kept; a category is
named from the rules file.  A text the catalogue does not know stays as it is:
``untranslated`` lists them, and a test asks for none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache

from grantpool.i18n import N_, Translator
from grantpool.i18n.formats import money

SECTIONS = {"income": N_("income"), "expenses": N_("expenses"), "result": N_("result"),
            "audit": N_("audit")}
COLUMNS = {"section": N_("section"), "line": N_("line"), "amount": N_("amount"),
           "note": N_("note"), "citizen": N_("citizen"), "granted": N_("granted"),
           "committed": N_("committed"), "spent": N_("spent"), "returned": N_("returned"),
           "remaining": N_("remaining"), "window_start": N_("window start"),
           "window_end": N_("window end"), "status": N_("status")}
SHEETS = {"Accounts": N_("Accounts"), "Citizens": N_("Citizens")}
STATUS = {"active": N_("active"), "ended": N_("ended"), "moved_out": N_("moved out"),
          "excluded": N_("excluded"), "not_started": N_("not started"), "closed": N_("closed")}
TITLE = N_("Grant accounts (tilskudsregnskab): %(pool)s")
PERIOD = N_("%(municipality)s, %(start)s to %(end)s")
LABELS = {  # a line's key (grantpool.audit.grant_accounts.LINE_KEYS) -> its label
    "carried_in": N_("Carried in from the year before (overført fra forrige år)"),
    "received": N_("Grant received (tilskud modtaget)"),
    "purchases": N_("Budget line: drawing rights (purchases), total"),
    "salary": N_("Budget line: staff salary (loenkroner)"),
    "expenses": N_("Expenses, total"),
    "unspent": N_("Unspent (uforbrugte midler)"),
    "carried_out": N_("Carried to the next year (overføres til næste år)"),
    "carry_over": N_("Carry-over approved (overførsel godkendt)"),
    "kept": N_("Kept under the de-minimis (bagatelgrænse)"),
    "repayment_due": N_("Repayment due (tilbagebetaling)"),
    "audit": N_("Audit required"),
    "categories_suppressed": N_("Drawing rights: suppressed categories, together"),
    "category": N_("Drawing rights: %(category)s"),
}
NOTES = (  # a note's shape: figures in it are kept, amounts formatted
    N_("%(count)s citizens"),
    N_("suppressed"),
    N_("%(count)s categories, suppressed: bought by fewer than %(min_group)s citizens, "
       "or hidden with them"),
    N_("not the final period"),
    N_("settled in the final accounts"),
    N_("carry-over approved"),
    N_("unspent, not claimed"),
    N_("under the %(amount)s de-minimis (bagatelgraense): not claimed, kept"),
    # the audits the shipped rules files require, by the grant's size
    N_("an independent person with accounting skills"),
    N_("a registered or state-authorised auditor"),
    N_("a registered or state-authorised auditor, and a performance audit "
       "(forvaltningsrevision)"),
)


@cache
def _shape(msgid: str) -> re.Pattern[str]:
    """A pattern matching the texts *msgid* gives, a group per placeholder."""
    parts = re.split(r"%\((\w+)\)s", msgid)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                      for i, p in enumerate(parts))
    return re.compile(f"^{pattern}$")


def _money(text: str, lang: str) -> str:
    try:
        return money(Decimal(text), lang)
    except ArithmeticError:  # not a number after all: as written
        return text


def translate(text: str, t: Translator) -> str:
    """*text* (a line's note) in *t*'s language; unchanged when not known."""
    if not text or t.lang == "en":
        return text
    if t.has(text):
        return t(text)
    for msgid in NOTES:
        found = _shape(msgid).match(text) if "%(" in msgid else None
        if found and t.has(msgid):
            values = found.groupdict()
            if "amount" in values:
                values["amount"] = _money(values["amount"], t.lang)
            return t(msgid, **values)
    return text


def label(key: str, text: str, t: Translator, category: Callable[[str], str] = str) -> str:
    """A line's label in *t*'s language, by the line's *key* (its English *text* when
    the key is not known or the language is English).  A category's line names the
    category by *category* (its label in the rules file) in every language."""
    if key.startswith("category:"):
        return t(LABELS["category"], category=category(key.partition(":")[2]))
    if t.lang == "en":
        return text
    return t(LABELS[key]) if key in LABELS and t.has(LABELS[key]) else text


def untranslated(lines: list[tuple[str, str, str]], t: Translator) -> list[str]:
    """The labels and notes of *lines* (key, label, note) that *t* leaves in English."""
    if t.lang == "en":
        return []
    out = [text for key, text, _ in lines if label(key, text, t) == text]
    return out + [note for _, _, note in lines if note and translate(note, t) == note]
