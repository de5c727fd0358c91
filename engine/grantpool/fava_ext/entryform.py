"""The "record an entry" form on a citizen's page: the other entries a municipality
makes, each the same checked entry as its command (``grantpool.entry``), answered as
JSON.

======================  =====================================  ========================
``kind``                fields besides ``date`` (YYYY-MM-DD)   the command
======================  =====================================  ========================
``budget``              ``citizen``, ``amount``                ``grantpool budget``
``commitment``          ``citizen``, ``amount``, ``category``  ``grantpool commit``
``return``              ``citizen``, ``amount`` (optional:     ``grantpool return``
                        all that is left)
``moved_out``           ``citizen``                            ``grantpool event``
``excluded``            ``citizen``                            ``grantpool event``
======================  =====================================  ========================

A budget goes to the municipality whose books these are (*own*, on a municipality's
own ledger), else to the one the body names (``municipality``), else to the citizen's;
the citizen may be left out for a new one (the next id, as the command does).  A
commitment may carry a voucher (``voucher_name``, ``voucher_data``) as a purchase does.
A field a kind does not take is bad input, as is any field that is not text.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from grantpool.entry import entries as build
from grantpool.entry import route
from grantpool.entry.entries import CITIZEN_ID, Books, Draft, EntryError
from grantpool.entry.guard import Recorded, record_entry
from grantpool.entry.route import Target
from grantpool.entry.vouchered import overview_for, with_voucher
from grantpool.fava_ext.posted import (
    AfterFor,
    Answer,
    FieldError,
    amount_field,
    answered,
    day_field,
    no_after,
    text_field,
    voucher_field,
)
from grantpool.i18n import ENGLISH, N_
from grantpool.vouchers.store import Voucher

KINDS = ("budget", "commitment", "return", *build.CITIZEN_EVENTS)
# The fields each kind takes besides kind, date, citizen and lang.
TAKES = {"budget": ("amount", "municipality"),
         "commitment": ("amount", "category", "voucher_data", "voucher_name"),
         "return": ("amount",), "moved_out": (), "excluded": ()}
VALUES = ("amount", "category", "municipality", "voucher_data", "voucher_name")


@dataclass(frozen=True)
class Asked:
    """An entry as the form asks for it, every field read."""

    kind: str
    pid: str  # '' only for a new citizen's budget
    day: datetime.date
    amount: Decimal | None
    category: str
    municipality: str | None
    voucher: Voucher | None


def asked(body: Any, own: str | None) -> Asked:
    """The entry *body* asks for, or ``EntryError`` naming the first bad field."""
    if not isinstance(body, dict):
        raise FieldError(N_("send the entry as a JSON object"))
    kind = text_field(body, "kind")
    if kind not in KINDS:
        raise FieldError(N_("kind must be one of budget, commitment, return, moved_out, "
                            "excluded"))
    for name in VALUES:
        if name not in TAKES[kind] and body.get(name) not in (None, ""):
            raise FieldError(N_("%(kind)s takes no %(field)s: leave it out"), kind=kind,
                             field=name)
    pid = text_field(body, "citizen")
    if (pid and not CITIZEN_ID.fullmatch(pid)) or (not pid and kind != "budget"):
        raise FieldError(N_("citizen must be a pseudonymous id like P-AAR-017: never a name "
                            "or CPR number"))
    named = text_field(body, "municipality") or None
    if own is not None and named not in (None, own):
        raise FieldError(N_("these books are %(municipality)s's: record another "
                            "municipality's budget in its own books"), municipality=own)
    municipality = own or named
    if kind == "budget" and not pid and municipality is None:
        raise FieldError(N_("a new citizen's budget needs its municipality"))
    day = day_field(body)
    amount = amount_field(body, required=kind in ("budget", "commitment")) if (
        "amount" in TAKES[kind]) else None
    category = text_field(body, "category")
    if kind == "commitment" and not category:
        raise FieldError(N_("a commitment needs its category"))
    return Asked(kind, pid, day, amount, category, municipality,
                 voucher_field(body) if kind == "commitment" else None)


def _target(main: Path, entry: Asked) -> Target:
    """The books the entry goes to: on a federation, the one entity's own."""
    if entry.kind == "budget" and entry.municipality is not None:
        return route.for_municipality(main, entry.municipality)
    return route.for_citizen(main, entry.pid)


def _builder(entry: Asked, target: Target, chosen: list[str]) -> Callable[[Books], Draft]:
    """What builds the entry from the books as they are under the lock (a new citizen's
    id included, put in *chosen*)."""
    def make(books: Books) -> Draft:
        if entry.kind == "budget":
            assert entry.amount is not None  # asked() requires it
            muni = entry.municipality or _municipality_of(books, entry.pid)
            books.municipality_file(muni)  # a municipality with a grant, before a new id
            chosen.append(entry.pid or books.next_citizen(muni))
            return build.budget(books, muni, chosen[-1], entry.day, entry.amount)
        chosen.append(entry.pid)
        if entry.kind == "commitment":
            assert entry.amount is not None
            return with_voucher(build.commitment(books, entry.pid, entry.day, entry.amount,
                                                 entry.category),
                                entry.voucher, target.main, entry.pid)
        if entry.kind == "return":
            return build.give_back(books, entry.pid, entry.day, entry.amount)
        return build.event(books, entry.kind, entry.pid, entry.day)

    return make


def _municipality_of(books: Books, pid: str) -> str:
    """The municipality holding citizen *pid*'s budget (a budget raised)."""
    try:
        return books.citizen(pid).municipality
    except EntryError as exc:
        raise FieldError(N_("a new citizen's budget needs its municipality")) from exc


def record_other(main: Path, body: Any, t: Callable[..., str] = ENGLISH,
                 after: AfterFor = no_after, own: str | None = None) -> Answer:
    """(HTTP status, JSON answer) for an entry posted from the form, built and judged
    under the books' lock as its command does.  *own*: the municipality whose books
    *main* is, if it is one's.  A recorded entry's answer names it (``entered``:
    kind and date; ``citizen``: whose) so the page can show it."""
    def record() -> tuple[Recorded, dict[str, Any]]:
        entry = asked(body, own)
        target = _target(main, entry)
        chosen: list[str] = []
        done = record_entry(target.main, _builder(entry, target, chosen),
                            datetime.date.today(), after=after(target.main),
                            overview=overview_for(target, entry.voucher))
        return done, {"entered": f"{entry.kind},{entry.day.isoformat()}",
                      "citizen": chosen[-1]}

    return answered(record, t)
