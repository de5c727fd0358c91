"""Which entity's books a statement goes to, when the books are a federation.

Each entity (the pool, each municipality) keeps its own bank account in its own
books: ``Assets:Pool:Bank`` in ``pool/books.beancount``, ``Assets:Municipality:<M>:Bank``
in ``municipalities/<m>/books.beancount``.  The entity is found from the *text* of
each entity's files (the ``open`` lines of bank accounts and their ``iban:``
metadata), never by loading any books: importing one statement loads, locks and
writes only its own entity's books, and another entity's broken books do not stop it.

A statement goes to the entity whose books open the bank account given with
``--account``; else to the one whose bank account is opened with the statement's
IBAN; else (a CSV export names no account) to the municipality whose name is in the
file name (``aarhus-2018-02.csv``), or the pool's (``pool-2018-02.csv``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grantpool.bank.accounts import NoBankAccount
from grantpool.books import chart as acc
from grantpool.federation.discover import Federation
from grantpool.federation.layout import Entity
from grantpool.federation.transfers import slug
from grantpool.privacy.cpr import redact

_OPEN = re.compile(r"^\d{4}-\d\d-\d\d[ \t]+open[ \t]+(\S+)[^\n]*\n((?:[ \t]+[^\n]*(?:\n|$))*)",
                   re.M)
_IBAN = re.compile(r'^[ \t]+iban:[ \t]*"([^"\n]*)"', re.M)


@dataclass(frozen=True)
class BankOpen:
    """A bank account an entity's books open, with the IBAN its ``open`` names (or None)."""

    entity: Entity
    account: str
    iban: str | None


def entity_files(entity: Entity) -> list[Path]:
    """The entity's own files: its main file and every ``.beancount`` file in its folder."""
    found = {entity.main, *(p for p in entity.main.parent.rglob("*.beancount")
                            if not p.name.startswith("."))}
    return sorted(p for p in found if p.is_file())


def bank_opens(entity: Entity) -> list[BankOpen]:
    """The bank accounts (``…:Bank``) the entity's files open, read from their text.  A
    file that cannot be read is skipped: the import of its entity says why."""
    out = []
    for path in entity_files(entity):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for found in _OPEN.finditer(text):
            if not found.group(1).endswith(":Bank"):
                continue
            iban = _IBAN.search(found.group(2))
            out.append(BankOpen(entity, found.group(1),
                                re.sub(r"\s", "", iban.group(1)).upper() if iban else None))
    return out


def all_bank_opens(federation: Federation) -> list[BankOpen]:
    return [b for e in federation.entities for b in bank_opens(e)]


def ending(iban: str) -> str:
    """An IBAN as messages show it: only its last 4 characters."""
    return f"ending {redact(iban[-4:])}"


def entity_for(federation: Federation, ledger: Path, given: str | None, path: Path, line: int,
               named: str | None) -> Entity:
    """The entity whose books a statement of *path* (at *line*, naming account *named*,
    or None) goes to; *ledger* is the path the user gave (for messages)."""
    opens = all_bank_opens(federation)
    if given is not None:
        return _by_account(opens, ledger, given)
    if named:
        return _by_iban(opens, ledger, path, line, named)
    return _by_name(federation, path)


def _by_account(opens: list[BankOpen], ledger: Path, given: str) -> Entity:
    owners = {b.entity for b in opens if b.account == given}
    if len(owners) == 1:
        return owners.pop()
    shown = redact(repr(given[:80]))
    if owners:
        raise NoBankAccount(f"{shown}: opened in the books of "
                            f"{', '.join(sorted(e.name for e in owners))}; an account belongs "
                            f"to one entity: remove the others' open")
    banks = sorted({b.account for b in opens})
    example = ", ".join(banks[:3]) + (", …" if len(banks) > 3 else "")
    raise NoBankAccount(f"{shown}: not a bank account of {ledger}; pass --account one of its "
                        f"bank accounts ({example or 'none is opened'})")


def _by_iban(opens: list[BankOpen], ledger: Path, path: Path, line: int, named: str) -> Entity:
    owners = {b.entity for b in opens if b.iban == named}
    if len(owners) == 1:
        return owners.pop()
    if owners:
        raise NoBankAccount(f"{path}:{line}: the statement is of account {ending(named)}, "
                            f"opened in the books of "
                            f"{', '.join(sorted(e.name for e in owners))}; keep the iban: on "
                            f"one entity's bank account; the statement was not imported")
    raise NoBankAccount(f"{path}:{line}: the statement is of account {ending(named)}, which no "
                        f"bank account of {ledger} is opened with; add its IBAN as iban: to "
                        f"the open of its bank account ({acc.POOL_BANK} in "
                        f"pool/books.beancount, {acc.MUNICIPALITY_ROOT}:<M>:Bank in "
                        f"municipalities/<m>/books.beancount), or pass --account; the "
                        f"statement was not imported")


def _by_name(federation: Federation, path: Path) -> Entity:
    stem = path.stem.lower()
    found = [e for e in federation.municipalities if slug(e.name) in stem]
    if len(found) == 1:
        return found[0]
    if "pool" in stem and not found and federation.pool is not None:
        return federation.pool
    raise NoBankAccount(f"{path}: cannot tell the bank account from the file name; "
                        f"pass --account (e.g. {acc.muni_bank('Aarhus')})")
