"""The directives each entry command writes, and the file each goes to.

Built from the books as they are (who a citizen is, where a municipality's
accounts live) and rendered as the generator renders, so entered and generated
books look alike.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.books import chart as acc
from grantpool.entry.events import MetaEvent
from grantpool.generate.model import Directive, Event, Open, Txn, money
from grantpool.generate.names import codes
from grantpool.generate.writer import render
from grantpool.i18n import N_
from grantpool.privacy.cpr import looks_like_cpr, redact
from grantpool.rules.pooldef import PoolDef
from grantpool.vouchers.store import Placed

CITIZEN_ID = re.compile(r"P-[A-Z0-9]{2,4}-\d{3,6}")
# An approval's case reference: letters, digits and . / _ - (spaces inside), no quotes.
APPROVAL_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./_-]{0,39}")
NOT_AN_ID = N_("'%(pid)s' is not a pseudonymous id like P-AAR-017: never a name or CPR number")
NO_BUDGET = N_("no budget for citizen %(pid)s; grant one first (the budget form, or "
               "grantpool budget)")


class EntryError(ValueError):
    """The entry cannot be made as asked; the message says why and what to do.

    Made as ``EntryError(N_("... %(pid)s ..."), pid=pid)``, ``msgid`` is the message as
    ``grantpool.i18n``'s catalogue knows it and ``values`` what it names, so a Fava page
    says it in its own language; the error's text is the English."""

    def __init__(self, message: str, **values: object) -> None:
        named = {key: str(value) for key, value in values.items()}
        super().__init__(message % named if named else message)
        self.msgid, self.values = message, named


@dataclass(frozen=True)
class Draft:
    target: Path
    directives: Sequence[Directive | MetaEvent]
    summary: str
    voucher: Placed | None = None  # stored with the entry, under the same lock

    def text(self, currency: str) -> str:
        return "\n\n".join(d.text() if isinstance(d, MetaEvent) else render(d, currency)
                             for d in self.directives) + "\n"

    @property
    def last_date(self) -> datetime.date:
        return max(d.date for d in self.directives)


@dataclass(frozen=True)
class Citizen:
    pid: str
    municipality: str
    available: str
    committed: str
    file: Path


class Books:
    """What the entry commands need to know of the loaded books."""

    def __init__(self, entries: list[Any], pool: PoolDef) -> None:
        self.entries = entries
        self.pool = pool
        self.opens = {e.account: e for e in entries if isinstance(e, data.Open)}

    def municipalities(self) -> list[str]:
        """The municipalities with a grant, spelled as their bank account's ``open`` says."""
        return sorted({str(o.meta["municipality"]) for o in self.opens.values()
                       if "municipality" in o.meta and "citizen" not in o.meta
                       and o.account == acc.muni_bank(str(o.meta["municipality"]))})

    def municipality_file(self, name: str) -> Path:
        """The file of *name*'s grant; *name* exactly as the books spell it."""
        bank = self.opens.get(acc.muni_bank(name))
        if bank is None or bank.meta.get("municipality") != name:
            known = ", ".join(self.municipalities()) or "none yet"
            raise EntryError(N_("'%(name)s' is not a municipality with a grant in the books "
                                "(spelled exactly as opened: %(known)s); allocate one first"),
                             name=shown(name), known=known)
        return Path(bank.meta["filename"])

    def citizen(self, pid: str) -> Citizen:
        if not CITIZEN_ID.fullmatch(pid):
            raise EntryError(NOT_AN_ID, pid=shown(pid))
        opened = next((o for o in self.opens.values() if o.meta.get("citizen") == pid
                       and o.account.endswith(":Available")), None)
        if opened is None:
            raise EntryError(NO_BUDGET, pid=pid)
        muni = str(opened.meta["municipality"])
        return Citizen(pid, muni, opened.account, acc.citizen_committed(muni, pid),
                       Path(opened.meta["filename"]))

    def balance(self, account: str, day: datetime.date) -> Decimal:
        total = Decimal(0)
        for entry in self.entries:
            if isinstance(entry, data.Transaction) and entry.date <= day:
                total += sum((p.units.number for p in entry.postings
                              if p.account == account and p.units is not None
                              and p.units.number is not None), Decimal(0))
        return total

    def _ids(self, municipality: str) -> list[str]:
        return [str(o.meta["citizen"]) for o in self.opens.values()
                if o.meta.get("municipality") == municipality and "citizen" in o.meta]

    def citizen_prefix(self, municipality: str) -> str:
        """The start of every id of *municipality*'s citizens (``P-AAR``): as its books
        have them, or made from its name for its first citizen."""
        ids = self._ids(municipality)
        return ids[0].rsplit("-", 1)[0] if ids else f"P-{codes([municipality])[municipality]}"

    def next_citizen(self, municipality: str) -> str:
        ids = self._ids(municipality)
        number = max((int(i.rsplit("-", 1)[1]) for i in ids), default=0) + 1
        return f"{self.citizen_prefix(municipality)}-{number:03d}"


def budget(books: Books, municipality: str, pid: str | None, day: datetime.date,
           amount: Decimal) -> Draft:
    target = books.municipality_file(municipality)
    pid = pid or books.next_citizen(municipality)
    if not CITIZEN_ID.fullmatch(pid):
        raise EntryError(NOT_AN_ID, pid=shown(pid))
    available, committed = acc.citizen_available(municipality, pid), acc.citizen_committed(
        municipality, pid)
    prefix = books.citizen_prefix(municipality)
    if available not in books.opens and pid.rsplit("-", 1)[0] != prefix:
        # Another municipality's id: its citizen would be in two sets of books.
        raise EntryError(N_("%(pid)s is not an id of %(municipality)s's citizens (theirs "
                            "begin %(prefix)s-); leave the id out to give the next one"),
                         pid=pid, municipality=municipality, prefix=prefix)
    meta = (("citizen", pid), ("municipality", municipality))
    directives: list[Directive] = []
    if available not in books.opens:
        directives += [Open(day, available, meta), Open(day, committed, meta)]
    directives.append(Txn(day, f"Budget granted: {pid}", "budget",
                          ((acc.muni_drawing_rights(municipality), -money(amount)),
                           (available, money(amount)))))
    return Draft(target, directives, f"budget {money(amount)} for {pid} ({municipality})")


def commitment(books: Books, pid: str, day: datetime.date, amount: Decimal,
               category: str) -> Draft:
    c = books.citizen(pid)
    _category(books, category)
    txn = Txn(day, f"Commitment: {category}", "commitment",
              ((c.available, -money(amount)), (c.committed, money(amount))))
    return Draft(c.file, [txn], f"commitment {money(amount)} for {pid}")


def purchase(books: Books, pid: str, day: datetime.date, amount: Decimal, category: str,
             from_commitment: bool = False, approval: str | None = None) -> Draft:
    c = books.citizen(pid)
    expense = acc.purchase_expense(c.municipality, _category(books, category))
    if expense not in books.opens:
        raise EntryError(N_("%(account)s is not opened in the books"), account=expense)
    source = c.committed if from_commitment else c.available
    if approval is not None and (not APPROVAL_REF.fullmatch(approval)
                                 or looks_like_cpr(approval)):
        raise EntryError("--approval must be a case reference like 2018-0042 or SAG/17/311 "
                         "(letters, digits, spaces and . / _ -; at most 40; no personal data)")
    meta = (("approval", approval),) if approval else ()
    txn = Txn(day, f"Purchase: {category}", "purchase",
              ((expense, money(amount)), (source, -money(amount))), meta)
    return Draft(c.file, [txn], f"purchase {money(amount)} {category} for {pid}")


def give_back(books: Books, pid: str, day: datetime.date, amount: Decimal | None) -> Draft:
    c = books.citizen(pid)
    left = books.balance(c.available, day) if amount is None else money(amount)
    if left <= 0:
        raise EntryError(N_("%(pid)s has nothing left to return on %(day)s"), pid=pid, day=day)
    txn = Txn(day, f"Unspent budget returned: {pid}", "return",
              ((c.available, -left), (acc.muni_drawing_rights(c.municipality), left)))
    return Draft(c.file, [txn], f"return {left} from {pid}")


def salary(books: Books, municipality: str, day: datetime.date, amount: Decimal) -> Draft:
    target = books.municipality_file(municipality)
    txn = Txn(day, "Payroll: support staff", "salary",
              ((acc.muni_salary(municipality), -money(amount)),
               (acc.salary_expense(municipality), money(amount))))
    return Draft(target, [txn], f"salary {money(amount)} ({municipality})")


CITIZEN_EVENTS = ("moved_out", "excluded")
GRANT_EVENTS = ("carry_over_approved", "accounts_submitted")


def event(books: Books, kind: str, subject: str, day: datetime.date) -> Draft:
    if kind in CITIZEN_EVENTS:
        target = books.citizen(subject).file
    elif kind in GRANT_EVENTS:
        target = books.municipality_file(subject)
    else:
        raise EntryError(N_("unknown event '%(kind)s'; use one of %(known)s"), kind=shown(kind),
                         known=", ".join(CITIZEN_EVENTS + GRANT_EVENTS))
    return Draft(target, [Event(day, kind, subject)], f"{kind} for {subject}")


def _category(books: Books, code: str) -> str:
    category = books.pool.category(code)
    if category is None:
        known = ", ".join(c.code for c in books.pool.categories)
        raise EntryError(N_("unknown category '%(code)s'; use one of %(known)s"),
                         code=shown(code), known=known)
    return category.account


def shown(text: str) -> str:
    """Input repeated in a message: at most 40 characters, CPR-looking numbers removed."""
    short = redact(text)
    return short if len(short) <= 40 else short[:39] + "…"
