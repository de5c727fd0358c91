"""Which bank account of the books a statement is for.

A statement that names its account (camt.053's ``Acct/Id/IBAN``, MT940's
``:25:``) goes to the bank account opened with that ``iban:`` metadata::

    2017-11-15 open Assets:Municipality:Aarhus:Bank DKK
      municipality: "Aarhus"
      iban: "DK5000400440116243"

An IBAN no bank account of the books is opened with refuses the statement
(``--account`` may name one opened without ``iban:``; one opened with another
IBAN is refused).  A statement that names no account (a CSV export) goes to
``--account`` or to the account its file name tells (``aarhus-2018-02.csv``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.bank.reading import StatementError
from grantpool.books import chart as acc
from grantpool.books.roles import roles
from grantpool.generate.books import slug
from grantpool.privacy.cpr import redact

BANK_ROLES = ("pool_bank", "muni_bank")
IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


class NoBankAccount(ValueError):
    """The statement's bank account is not given and cannot be told from its name or its
    IBAN, or what was given is not a bank account of the books."""


def iban_ok(iban: str) -> bool:
    """Whether *iban* (compact, upper case) passes its ISO 13616 check digits."""
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def normal_iban(path: Path, line: int, where: str, text: str) -> str:
    """*text* without blanks, upper case; an IBAN must pass its check digits (another
    kind of account id is kept as it is)."""
    compact = re.sub(r"\s", "", text).upper()
    if IBAN.match(compact) and not iban_ok(compact):
        raise StatementError(path, line, f"{where}: the IBAN fails its check digits; the file "
                                         f"is damaged or the account mistyped")
    return compact


def bank_accounts(entries: list[Any]) -> list[str]:
    """The books' bank accounts: those opened as the pool's or a municipality's bank."""
    return sorted(a for a, r in roles(entries).items() if r.role in BANK_ROLES)


def ibans(entries: list[Any]) -> dict[str, str]:
    """Bank account by the IBAN its ``open`` names (``iban:`` metadata)."""
    banks = set(bank_accounts(entries))
    return {re.sub(r"\s", "", str(e.meta["iban"])).upper(): e.account for e in entries
            if isinstance(e, data.Open) and e.account in banks and e.meta.get("iban")}


def bank_for(statement: Path, entries: list[Any]) -> str:
    """The bank account whose municipality's name (or 'pool') is in the file name."""
    stem = statement.stem.lower()
    munis = {e.meta.get("municipality") for e in entries
             if isinstance(e, data.Open) and e.account.endswith(":Bank")}
    found = [m for m in munis if isinstance(m, str) and slug(m) in stem]
    if len(found) == 1:
        return acc.muni_bank(found[0])
    if "pool" in stem and not found:
        return acc.POOL_BANK
    raise NoBankAccount(f"{statement}: cannot tell the bank account from the file name; "
                        f"pass --account (e.g. {acc.muni_bank('Aarhus')})")


def bank_account(ledger: Path, given: str | None, statement: Path, entries: list[Any]) -> str:
    """*given* if it is a bank account of the books, else the one the file name tells."""
    account = given if given is not None else bank_for(statement, entries)
    banks = bank_accounts(entries)
    if account not in banks:
        shown = redact(repr(account[:80]))
        example = ", ".join(banks[:3]) + (", …" if len(banks) > 3 else "")
        raise NoBankAccount(f"{shown}: not a bank account of {ledger}; pass --account one of "
                            f"its bank accounts ({example or 'none is opened'})")
    return account


def account_for(ledger: Path, given: str | None, path: Path, line: int, named: str | None,
                entries: list[Any]) -> str:
    """The bank account of a statement in *path* (at *line*) that names account *named*
    (None: names none)."""
    if not named:
        return bank_account(ledger, given, path, entries)
    known = ibans(entries)
    shown = redact(named[:40])
    if given is not None:
        account = bank_account(ledger, given, path, entries)
        theirs = next((i for i, a in known.items() if a == account), None)
        if theirs is not None and theirs != named:
            raise NoBankAccount(f"{path}:{line}: the statement is of account {shown}, but "
                                f"{account} is opened with iban {redact(theirs)}; pass the "
                                f"--account of {shown}; the statement was not imported")
        return account
    if named in known:
        return known[named]
    raise NoBankAccount(f"{path}:{line}: the statement is of account {shown}, which no bank "
                        f"account of {ledger} is opened with; add iban: \"{shown}\" to that "
                        f"bank account's open (or pass --account); the statement was not "
                        f"imported")
