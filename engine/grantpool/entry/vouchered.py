"""``--voucher FILE``: an entry with its receipt.  The draft's one transaction gets the
voucher's ``document`` and ``voucher_sha256`` metadata; the file itself is stored by the
write path (``grantpool.entry.guard``) under the books' lock, atomically with the entry.

On a federation the voucher is stored beside the entity's own main file
(``municipalities/<name>/documents/``), declared there, and in the consolidated main file
too (so Fava on either finds it)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from beancount.parser import parser

from grantpool.entry.entries import Draft, EntryError
from grantpool.entry.route import Target
from grantpool.generate.model import Txn
from grantpool.vouchers.store import Voucher, documents_root, place


def with_voucher(draft: Draft, voucher: Voucher | None, main: Path, who: str) -> Draft:
    """*draft* carrying *voucher* (stored under the account the money went to), or
    *draft* itself when there is none.  *who*: the citizen's id, or the municipality."""
    if voucher is None:
        return draft
    txns = [d for d in draft.directives if isinstance(d, Txn)]
    if len(txns) != 1:
        raise EntryError("--voucher needs an entry of one transaction")
    txn = txns[0]
    account = next(a for a, amount in txn.postings if amount > 0)
    placed = place(voucher, main, draft.target, account, txn.date, who)
    tagged = dataclasses.replace(txn, meta=(*txn.meta, *placed.meta))
    directives = [tagged if d is txn else d for d in draft.directives]
    return dataclasses.replace(draft, directives=directives, voucher=placed,
                               summary=f"{draft.summary} with voucher {placed.path.name}")


def overview_for(target: Target, voucher: Voucher | None) -> Path | None:
    """The federation's consolidated main file, when a voucher is to be stored in
    *target*'s books and the consolidated books do not declare their voucher folder
    yet (the check is made again under the lock): None otherwise."""
    federation = target.federation
    if voucher is None or federation is None or federation.consolidated is None:
        return None
    overview = federation.consolidated
    folder = documents_root(target.main)
    _, _, options = parser.parse_file(str(overview))  # its own lines, no include
    declared = {(overview.resolve().parent / str(d)).resolve()
                for d in options.get("documents", [])}
    return None if folder in declared else overview
