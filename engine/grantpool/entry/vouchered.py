"""``--voucher FILE``: an entry with its receipt.  The draft's one transaction gets the
voucher's ``document`` and ``voucher_sha256`` metadata; the file itself is stored by the
write path (``grantpool.entry.guard``) under the books' lock, atomically with the entry."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grantpool.entry.entries import Draft, EntryError
from grantpool.generate.model import Txn
from grantpool.vouchers.store import Voucher, place


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
