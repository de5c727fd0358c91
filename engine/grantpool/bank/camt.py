"""ISO 20022 camt.053 (bank-to-customer statement), versions 001.02 to 001.08.

Read from each ``Stmt``: the account (``Acct/Id/IBAN``, else ``Acct/Id/Othr/Id``),
its currency, the opening balance (``Bal`` of type ``OPBD``, else ``PRCD``) and
the closing balance (``CLBD``: required), and each booked entry (``Ntry`` whose
``Sts`` is ``BOOK``; pending and information entries do not move the balance and
are left out): its booking date (``BookgDt``), amount (``Amt``) and sign
(``CdtDbtInd``: ``CRDT`` in, ``DBIT`` out), the bank's reference
(``AcctSvcrRef``) and the end-to-end id (``NtryDtls/TxDtls/Refs/EndToEndId``),
the matching key in that order.  The free text (``AddtlNtryInf``, ``RmtInf``)
is never copied into the books.  Opening plus the entries must give the
closing balance, or the statement is refused.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

from grantpool.bank import xmltree
from grantpool.bank.accounts import normal_iban
from grantpool.bank.model import Closing, Entry, Statement, with_balances
from grantpool.bank.reading import StatementError
from grantpool.bank.xmltree import Node

NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])$")
AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,5})?$")
OPENING = ("OPBD", "PRCD")
BOOKED = "BOOK"


def read_camt(path: Path, raw: bytes) -> list[Statement]:
    root = xmltree.parse(path, raw)
    if root.name != "Document" or not NAMESPACE.match(root.namespace):
        shown = root.namespace[:80] or "no namespace"
        raise StatementError(path, root.line, f"/{root.name} in {shown}: not a camt.053 "
                                              f"statement (urn:iso:std:iso:20022:tech:xsd:"
                                              f"camt.053.001.02 to .08); camt.052 and camt.054 "
                                              f"are reports, not statements")
    report = root.find("BkToCstmrStmt")
    statements = report.all("Stmt") if report else []
    if report is None or not statements:
        raise StatementError(path, root.line, "/Document/BkToCstmrStmt/Stmt: no statement in "
                                              "the file; export the statement again")
    ids: dict[str, int] = {}
    result = []
    for stmt in statements:
        ident = stmt.value("Id")
        if ident and ident in ids:
            raise StatementError(path, stmt.line, f"{stmt.path}: the statement Id appears "
                                                  f"twice (also at line {ids[ident]}); were two "
                                                  f"files joined?")
        ids[ident] = stmt.line
        result.append(_statement(path, stmt))
    return result


def _statement(path: Path, stmt: Node) -> Statement:
    named = stmt.find("Acct", "Id", "IBAN") or stmt.find("Acct", "Id", "Othr", "Id")
    if named is None or not named.text.strip():
        raise StatementError(path, stmt.line, f"{stmt.path}/Acct/Id: names no account (IBAN "
                                              f"or Othr/Id); export the statement again")
    account = normal_iban(path, named.line, named.path, named.text)
    balances = {kind: _balances(path, stmt, kind) for kind in (*OPENING, "CLBD")}
    opening_nodes = balances["OPBD"] or balances["PRCD"]
    for kind, found in (("OPBD", opening_nodes), ("CLBD", balances["CLBD"])):
        if len(found) != 1:
            what = "no" if not found else "more than one"
            raise StatementError(path, found[1].line if found else stmt.line,
                                 f"{stmt.path}/Bal: {what} {kind} balance; a statement has "
                                 f"one opening (OPBD) and one closing (CLBD) balance")
    first = opening_nodes[0].find("Amt")
    currency = stmt.value("Acct", "Ccy") or (first.attrs.get("Ccy", "") if first else "")
    opening, _ = _amount(path, opening_nodes[0], currency)
    closing_node = balances["CLBD"][0]
    closing, _ = _amount(path, closing_node, currency)
    closing_day = _date(path, closing_node, "Dt")
    entries = [_entry(path, n, currency) for n in stmt.all("Ntry") if _booked(n)]
    lines = with_balances(path, entries, opening, Closing(closing_node.line, closing_day,
                                                          closing), closing_node.path)
    return Statement(path, lines, opening, Closing(closing_node.line, closing_day, closing),
                     account, currency, stmt.line, stmt.path, ("camt053",),
                     opening_nodes[0].line)


def _balances(path: Path, stmt: Node, kind: str) -> list[Node]:
    return [b for b in stmt.all("Bal")
            if (b.value("Tp", "CdOrPrtry", "Cd") or b.value("Tp", "CdOrPrtry", "Prtry")) == kind]


def _booked(entry: Node) -> bool:
    status = entry.value("Sts", "Cd") or entry.value("Sts")
    return status == BOOKED


def _amount(path: Path, node: Node, currency: str) -> tuple[Decimal, str]:
    """The signed amount of a ``Bal`` or ``Ntry``."""
    amt = node.find("Amt")
    if amt is None or not AMOUNT.match(amt.text.strip()):
        where = amt.path if amt else f"{node.path}/Amt"
        raise StatementError(path, amt.line if amt else node.line,
                             f"{where}: not an amount like 2350.00; export the statement again")
    ccy = amt.attrs.get("Ccy", "")
    if currency and ccy != currency:
        raise StatementError(path, amt.line, f"{amt.path}: in {ccy[:3]!r}, the statement's "
                                             f"account is in {currency[:3]!r}")
    sign = node.value("CdtDbtInd")
    if sign not in ("CRDT", "DBIT"):
        raise StatementError(path, node.line, f"{node.path}/CdtDbtInd: must be CRDT or DBIT")
    value = Decimal(amt.text.strip())
    return (value if sign == "CRDT" else -value), ccy


def _date(path: Path, node: Node, *inner: str) -> datetime.date:
    """The date of ``Dt/Dt`` or ``Dt/DtTm`` (for a balance), ``BookgDt/...`` (an entry)."""
    holder = node.find(*inner)
    text = (holder.value("Dt") or holder.value("DtTm")[:10]) if holder else ""
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    where = holder.path if holder else f"{node.path}/{'/'.join(inner)}"
    raise StatementError(path, holder.line if holder else node.line,
                         f"{where}: not a date like 2018-02-08 (Dt or DtTm); export the "
                         f"statement again")


def _entry(path: Path, node: Node, currency: str) -> Entry:
    amount, _ = _amount(path, node, currency)
    day = _date(path, node, "BookgDt")
    details = node.find("NtryDtls", "TxDtls")
    reference = node.value("AcctSvcrRef") or (details.value("Refs", "AcctSvcrRef")
                                              if details else "")
    end_to_end = details.value("Refs", "EndToEndId") if details else ""
    text = "|".join(x.text.strip() for x in _free_text(node))
    return Entry(node.line, node.path, day, amount, text, reference, end_to_end)


def _free_text(node: Node) -> list[Node]:
    found = node.all("AddtlNtryInf")
    for details in node.all("NtryDtls"):
        for tx in details.all("TxDtls"):
            found += [*tx.all("AddtlTxInf"), *(u for r in tx.all("RmtInf")
                                                for u in r.all("Ustrd"))]
    return found
