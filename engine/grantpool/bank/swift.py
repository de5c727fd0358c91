"""SWIFT MT940 customer statements, read field by field through the ``mt-940`` package.

grantpool splits the file into fields itself (so every error names its line),
checks their order, then lets ``mt940`` read each field: ``:20:`` starts a
statement, ``:25:`` names the account (an IBAN, possibly after a BIC and '/'),
``:60F:``/``:60M:`` is the opening balance, each ``:61:`` a line (its entry date,
else its value date; ``C``/``RD`` in, ``D``/``RC`` out; the bank's reference after
``//`` and the customer's reference are the matching key, in that order),
``:62F:``/``:62M:`` the closing balance, which must be the opening plus every
line.  ``:86:`` is the bank's free text and never enters the books.  A SWIFT
envelope (``{1:...}{2:...}{4:`` ... ``-}``) is allowed around each message.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mt940

from grantpool.bank.accounts import IBAN, normal_iban
from grantpool.bank.model import Closing, Entry, Statement, with_balances
from grantpool.bank.reading import PersonalData, StatementError
from grantpool.privacy.cpr import looks_like_cpr

TAG = re.compile(r"^:(?P<tag>[0-9]{2}[A-Z]?|NS):(?P<rest>.*)$")
ENVELOPE = re.compile(r"^\{[1-5]:")
END = re.compile(r"^-\}?")
LINE_DATES = re.compile(r"^\d{6}(\d{4})?")
# the order fields come in: a :86: belongs to the :61: before it, or (after :62:) the statement
RANK = {"20": 0, "21": 1, "25": 2, "28": 3, "28C": 3, "60F": 4, "60M": 4, "61": 5,
        "62F": 6, "62M": 6, "64": 7, "65": 7}
ONCE = {"20", "21", "25", "28", "28C"}
# what mt940 raises for a field that does not fit its layout: its own RuntimeError, and
# the standard errors a bad date or number gives inside it
LIBRARY_ERRORS = (RuntimeError, ValueError, ArithmeticError, KeyError, IndexError, TypeError)
# mt940's patterns are lenient (``D23X0,00`` reads as 23 with a reference ``X0,00``): the
# fixed part of each field with an amount is checked to the letter of the standard first
AMOUNT = r"\d{1,12},\d{0,2}"
LAYOUT = {"61": re.compile(rf"^\d{{6}}(\d{{4}}|\s{{4}})?R?[CD][A-Z]?{AMOUNT}[A-Z][A-Z0-9]{{3}}"),
          **{tag: re.compile(rf"^[CD]\d{{6}}[A-Z]{{3}}{AMOUNT}$")
             for tag in ("60F", "60M", "62F", "62M", "64", "65")}}
OPTIONS = mt940.Options(reversal_sign=True, merge_keeps_values=True, unbounded_details=True)
# mt940 logs a field it cannot match, with the field's text (the bank's free text, which may
# name people), at ERROR: that must reach no terminal, journal or mail
QUIET = logging.getLogger("mt940")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


@dataclass
class Field:
    line: int
    tag: str
    value: str


def fields(path: Path, text: str) -> list[Field]:
    """Every field of *text* with its line; envelopes and message ends left out."""
    found: list[Field] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if ENVELOPE.match(line) or END.match(line) or not line.strip():
            _no_cpr(path, number, "the SWIFT envelope", line)
            continue
        tag = TAG.match(line)
        if tag is None and not found:
            raise StatementError(path, number, "text before the first field; an MT940 "
                                               "statement starts with :20:")
        if tag is None:
            _no_cpr(path, number, f"field {found[-1].tag}", line)
            found[-1].value += "\n" + line
        elif tag["tag"] not in RANK and tag["tag"] != "86":
            raise StatementError(path, number, f":{tag['tag']}: is not a field of an MT940 "
                                               f"statement (:20: :25: :28C: :60F: :61: :86: "
                                               f":62F: :64: :65:)")
        else:
            rest = tag["rest"]
            # a :61: opens with its value and entry dates, YYMMDDMMDD: ten digits, no person's
            _no_cpr(path, number, f"field {tag['tag']}",
                    LINE_DATES.sub("", rest) if tag["tag"] == "61" else rest)
            found.append(Field(number, tag["tag"], rest))
    if not found:
        raise StatementError(path, 1, "empty file; an MT940 statement starts with :20:")
    return found


def _no_cpr(path: Path, number: int, where: str, text: str) -> None:
    if looks_like_cpr(text):
        raise PersonalData(path, number, f"{where} holds a CPR-like number; remove it from "
                                         f"the statement (the books never hold CPR numbers) "
                                         f"and import it again")


def split(path: Path, found: list[Field]) -> list[list[Field]]:
    """The fields of each statement, in an order MT940 allows."""
    blocks: list[list[Field]] = []
    for field in found:
        if field.tag == "20":
            blocks.append([])
        elif not blocks:
            raise StatementError(path, field.line, f":{field.tag}: before :20:; an MT940 "
                                                   f"statement starts with :20:")
        blocks[-1].append(field)
    for block in blocks:
        _order(path, block)
    return blocks


def _order(path: Path, block: list[Field]) -> None:
    rank, seen = 0, set()
    for before, field in zip([None, *block], block, strict=False):
        now = RANK.get(field.tag, 5 if rank <= 5 else 7)
        if field.tag == "86" and (before is None or before.tag not in ("61", "62F", "62M",
                                                                        "64", "65")):
            raise StatementError(path, field.line, ":86: must follow a :61: line (or the "
                                                   "closing balance)")
        if now < rank or (field.tag in ONCE | {"60F", "60M", "62F", "62M"}
                          and RANK[field.tag] in seen):
            raise StatementError(path, field.line, f":{field.tag}: out of order or repeated; "
                                                   f"a statement is :20: :25: :28C: :60F: "
                                                   f"(:61: :86:)... :62F:")
        seen.add(now)
        rank = now
    for need, name in ((2, ":25: (the account)"), (4, ":60F: (the opening balance)"),
                       (6, ":62F: (the closing balance)")):
        if need not in seen:
            raise StatementError(path, block[0].line, f"the statement of :20: has no {name}; "
                                                      f"export the statement again")


def read_mt940(path: Path, text: str) -> list[Statement]:
    return [_statement(path, block) for block in split(path, fields(path, text))]


def _statement(path: Path, block: list[Field]) -> Statement:
    parsed = mt940.models.Transactions(options=OPTIONS)
    for field in block:
        layout = LAYOUT.get(field.tag)
        try:
            if layout is not None and not layout.match(field.value.strip()):
                raise ValueError(field.tag)
            parsed.parse(f":{field.tag}:{field.value}")
        except LIBRARY_ERRORS:
            raise StatementError(path, field.line, f":{field.tag}: does not fit the MT940 "
                                                   f"layout of the field (dates YYMMDD, C or D, "
                                                   f"amounts 1234,56); export the statement "
                                                   f"again") from None
    data = parsed.data
    opening_field = next(f for f in block if f.tag.startswith("60"))
    closing_field = next(f for f in block if f.tag.startswith("62"))
    opening = data.get("final_opening_balance") or data["intermediate_opening_balance"]
    closing = data.get("final_closing_balance") or data["intermediate_closing_balance"]
    currency = str(opening.amount.currency)
    if closing.amount.currency != currency:
        raise StatementError(path, closing_field.line, f":{closing_field.tag}: in another "
                                                       f"currency than :{opening_field.tag}:")
    entries = [_entry(path, f, t.data) for f, t in
               zip([f for f in block if f.tag == "61"], parsed.transactions, strict=True)]
    ends = Closing(closing_field.line, _day(closing.date), closing.amount.amount)
    lines = with_balances(path, entries, opening.amount.amount, ends,
                          f"field {closing_field.tag}")
    account = _account(path, next(f for f in block if f.tag == "25"))
    return Statement(path, lines, opening.amount.amount, ends, account, currency,
                     block[0].line, f":20: at line {block[0].line}", ("mt940",),
                     opening_field.line)


def _entry(path: Path, field: Field, data: dict[str, Any]) -> Entry:
    day = _day(data.get("entry_date") or data["date"])
    reference = (data.get("bank_reference") or "").strip()
    customer = (data.get("customer_reference") or "").strip()
    text = str(data.get("transaction_details") or "")
    return Entry(field.line, "field 61", day, data["amount"].amount, text, reference, customer)


def _day(day: datetime.date) -> datetime.date:
    """mt940's own date type as a plain date (for Beancount's entries)."""
    return datetime.date(day.year, day.month, day.day)


def _account(path: Path, field: Field) -> str | None:
    """The IBAN :25: names (``DK50...``, ``BIC/DK50...``), or None for another kind of id."""
    compact = re.sub(r"\s", "", field.value).upper()
    candidate = compact.rsplit("/", 1)[-1]
    if not IBAN.match(candidate):
        return None
    return normal_iban(path, field.line, ":25:", candidate)
