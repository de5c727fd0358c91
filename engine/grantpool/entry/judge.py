"""A new entry judged with the books' one load: what the full judge's second load of
the books would report, worked out from the entries already loaded.

The full judge (``grantpool.entry.guard``) loads a string that includes the books'
main file and then the new text, so the books are parsed, booked, checked and
validated a second time.  Here only the new text is parsed (as that string parses it,
at the same lines, with the string's own options: Beancount's defaults), booked, and
merged into the loaded entries in the loader's order (the string's directives first
among equal sort keys); then only what new directives can change is worked out again:
the balance assertions over the accounts they touch (Beancount's own ``balance.check``
on those accounts' entries alone) and Beancount's validations of the entries whose
verdict can differ.  Every other error of that load (the books' own parse, booking and
assertion errors) is one the books' load already reported, so it is never added.

``after_entry`` answers None whenever this could judge differently from the full load,
and the guard then makes that load as before: the new text sets an option or plugin or
includes a file; the books' options differ from the defaults where the load reads them,
or they declare a plugin but the rules' (the string's load runs none of theirs); a new
directive is a ``pad`` or ``document``; a new posting is held at cost or names no
currency; the books hold a ``pad`` or a transaction booking failed on, or an account
posted to holds a lot at cost or a later posting whose currency Beancount inferred from
the inventory (its line names none), where booking depends on what came before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from beancount.core import data, getters, interpolate
from beancount.core.number import MISSING
from beancount.ops import validation
from beancount.parser import booking, parser

from grantpool.entry import assertions

# Beancount's own steps of a load (untyped there)
_book: Any = booking.book
_validate: Any = validation.validate

# The full judge's string: the include line and a blank line, then the new text.
HEADER_LINES = 2
RULES_PLUGIN = "grantpool.plugin"
REACHING = (data.Pad, data.Document)  # new directives whose effect reaches beyond them
JUDGED_AMONG_ALL = (data.Open, data.Close, data.Commodity)
BOOKING = frozenset({booking.__name__, "beancount.parser.booking_full"})  # its errors' modules
# Options the full load takes from its top level (the string: Beancount's defaults) that
# change nothing it reports: the books' may differ in these.  Any other difference
# (booking method, tolerances, root names ...) makes the full load judge.
UNREAD = frozenset({
    "filename", "include", "input_hash", "dcontext", "title", "operating_currency",
    "plugin", "documents", "pythonpath", "insert_pythonpath", "render_commas",
    "display_precision", "long_string_maxlines", "commodities", "conversion_currency",
    "account_previous_balances", "account_previous_earnings",
    "account_previous_conversions", "account_current_earnings",
    "account_current_conversions", "account_unrealized_gains",
})


@dataclass(frozen=True)
class After:
    """The books with the new entries in, as the full load holds them, and the errors
    of that load the books' own load did not report."""

    entries: list[Any]
    errors: list[Any]


def after_entry(entries: list[Any], errors: list[Any], options: dict[str, Any],
                text: str) -> After | None:
    """*text* judged into the loaded *entries* (of books with *errors* and *options*),
    or None where only the full load judges it alike (see the module's text)."""
    if any(type(e).__module__ in BOOKING for e in errors):
        return None  # a transaction booking failed on might be booked with the new ones
    new, parse_errors, own = parser.parse_string("\n" * HEADER_LINES + text)
    if not _plain(own) or not _same_load(options, own) or not _simple(new):
        return None
    new.sort(key=data.entry_sortkey)
    booked, booking_errors = _book(new, own)
    base = _without_found_documents(entries, options)
    if not _independent(base, booked):
        return None
    merged = sorted([*booked, *base], key=data.entry_sortkey)  # stable: new text first
    fresh = {id(e) for e in booked}
    balance_errors = assertions.recheck(merged, fresh, own)
    valid_errors = _validate(_to_validate(merged, booked, fresh), own)
    return After(merged, [*parse_errors, *booking_errors, *balance_errors, *valid_errors])


@cache
def _defaults() -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, repr(v)) for k, v in parser.parse_string("")[2].items()
                        if k != "dcontext"))


def _plain(own: dict[str, Any]) -> bool:
    """The text set no option, plugin or include: its options are a blank text's."""
    return tuple(sorted((k, repr(v)) for k, v in own.items() if k != "dcontext")) == _defaults()


def _same_load(options: dict[str, Any], own: dict[str, Any]) -> bool:
    """The books' options load as the string's, and their only plugin is the rules'."""
    if any(name != RULES_PLUGIN for name, _ in options.get("plugin", [])):
        return False
    keys = (set(options) | set(own)) - UNREAD
    return all(options.get(k, MISSING) == own.get(k, MISSING) for k in keys)


def _simple(new: list[Any]) -> bool:
    """No new directive reaches beyond itself: no pad, no document (a file on disk), no
    posting held at cost or naming no currency (booked from the inventory)."""
    for entry in new:
        if isinstance(entry, REACHING):
            return False
        if isinstance(entry, data.Transaction) and any(map(_inventory_booked, entry.postings)):
            return False
    return True


def _inventory_booked(posting: Any) -> bool:
    """Booked from the account's inventory: held at cost, or an amount (or price) whose
    currency is left out.  (A posting left out altogether is booked from its own
    transaction.)"""
    units, price = posting.units, posting.price
    return bool(posting.cost is not None or (units is not MISSING and units.currency is MISSING)
                or (price is not None and price.currency is MISSING))


def _without_found_documents(entries: list[Any], options: dict[str, Any]) -> list[Any]:
    """The entries less the documents Beancount found in the books' documents folders
    (line 0): the string's load has no such folders."""
    if not options.get("documents"):
        return entries
    return [e for e in entries if not (isinstance(e, data.Document) and
                                       (e.meta or {}).get("lineno") == 0)]


def _independent(base: list[Any], booked: list[Any]) -> bool:
    """Booking the books' entries does not depend on the new postings: no pad, no lot at
    cost on an account posted to, and every later posting there names its currency."""
    posted = {p.account for e in booked if isinstance(e, data.Transaction) for p in e.postings}
    first = min((data.entry_sortkey(e) for e in booked), default=None)
    later: list[tuple[str, int, str, str]] = []
    for entry in base:
        if isinstance(entry, data.Pad):
            return False
        if not posted or not isinstance(entry, data.Transaction):
            continue
        posting: Any
        for posting in entry.postings:
            if posting.account not in posted:
                continue
            if posting.cost is not None:
                return False
            meta = posting.meta or {}
            if (first is not None and data.entry_sortkey(entry) >= first
                    and interpolate.AUTOMATIC_META not in meta):
                later.append((str(meta.get("filename")), int(meta.get("lineno") or 0),
                              posting.account, posting.units.currency))
    return _currencies_written(later)


def _currencies_written(postings: Iterable[tuple[str, int, str, str]]) -> bool:
    """Each posting's line (file, line, account, currency) names its currency after the
    amount; a line that cannot be read or does not hold the posting answers False."""
    lines: dict[str, list[str]] = {}
    for filename, lineno, account, currency in postings:
        if filename not in lines:
            try:
                lines[filename] = Path(filename).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeError):
                return False
        text = lines[filename][lineno - 1] if 0 < lineno <= len(lines[filename]) else ""
        head, _, rest = text.split(";", 1)[0].partition(account)
        if not _written(currency).match(rest) or head.strip() not in ("", "*", "!"):
            return False
    return True


@cache
def _written(currency: str) -> re.Pattern[str]:
    return re.compile(rf"\s+[-+*/().,\d\s]*?\d[-+*/().,\d\s]*{re.escape(currency)}(?![\w'.-])")


def _to_validate(merged: list[Any], booked: list[Any], fresh: set[int]) -> list[Any]:
    """The entries whose validation can differ with the new ones in, in order: the new,
    every open, close and commodity (whose validity is judged among them all), the
    assertions on an account a new one asserts, and, for an account a new directive
    opens or closes, every directive naming it."""
    opened = {e.account for e in booked if isinstance(e, assertions.OPEN_CLOSE)}
    asserted = {e.account for e in booked if isinstance(e, data.Balance)}
    out = []
    for entry in merged:
        if (id(entry) in fresh or isinstance(entry, JUDGED_AMONG_ALL)
                or (isinstance(entry, data.Balance) and entry.account in asserted)
                or (opened and not getters.get_entry_accounts(entry).isdisjoint(opened))):
            out.append(entry)
    return out
