"""What the books say of each voucher, and whether the file still bears it out.

Pure over loaded entries (the file system read only to hash a voucher): used by the
``voucher`` rule kind, ``grantpool vouchers verify`` and ``prune``, and the sample.
"""

from __future__ import annotations

import calendar
import datetime
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from grantpool.privacy.cpr import redact
from grantpool.vouchers.store import HASH_KEY, PATH_KEY, file_sha256

PRUNED = "voucher_pruned"  # the event that says a voucher's file was deleted, retention over


@dataclass(frozen=True)
class Recorded:
    """A voucher an entry records: its metadata, and the file it names (None when the
    entry is not in a file: a new entry judged from a string before it is written)."""

    txn: data.Transaction
    value: str
    sha256: str | None
    path: Path | None

    @property
    def name(self) -> str:
        return Path(self.value).name


def recorded(txn: data.Transaction) -> Recorded | None:
    """The voucher *txn* records, if it names one (``document`` metadata)."""
    meta = txn.meta or {}
    value = meta.get(PATH_KEY)
    if not isinstance(value, str):
        return None
    sha = meta.get(HASH_KEY)
    filename = str(meta.get("filename", ""))
    path = (Path(os.path.normpath(Path(filename).parent / value))
            if os.path.isabs(filename) else None)
    return Recorded(txn, value, sha if isinstance(sha, str) else None, path)


def vouchers(entries: Iterable[Any]) -> Iterator[Recorded]:
    for entry in entries:
        if isinstance(entry, data.Transaction):
            found = recorded(entry)
            if found is not None:
                yield found


def pruned_names(entries: Iterable[Any]) -> dict[str, data.Event]:
    """The vouchers the books say were pruned: file name -> the ``voucher_pruned`` event."""
    return {Path(e.description).name: e for e in entries
            if isinstance(e, data.Event) and e.type == PRUNED}


def problem(voucher: Recorded, pruned: dict[str, data.Event]) -> str | None:
    """What is wrong with *voucher*'s file, or None: missing, or altered since recorded.
    A voucher pruned after its retention is fine: the books keep its hash."""
    shown = redact(voucher.value)[:120]
    if voucher.sha256 is None:
        return f"voucher {shown} has no {HASH_KEY} metadata: record it with --voucher"
    if voucher.path is None or voucher.name in pruned:
        return None
    found = file_sha256(voucher.path)
    if found is None:
        return f"voucher {shown} is missing; put the file back (its SHA-256 is in the books)"
    if found != voucher.sha256:
        return (f"voucher {shown} was altered: its SHA-256 no longer matches the one "
                f"recorded; put the original back")
    return None


def amount(txn: data.Transaction) -> Decimal:
    """What an entry moves: the sum of its positive postings."""
    return sum((p.units.number for p in txn.postings if p.units is not None
                and p.units.number is not None and p.units.number > 0), Decimal(0))


def retention_ends(day: datetime.date, years: int, year_end_month: int) -> datetime.date:
    """The last day a voucher of an entry on *day* must be kept: the end of the financial
    year *day* belongs to (ending with *year_end_month*), plus *years*."""
    year = day.year if day.month <= year_end_month else day.year + 1
    year += years
    return datetime.date(year, year_end_month, calendar.monthrange(year, year_end_month)[1])
