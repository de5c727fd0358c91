"""``grantpool vouchers prune``: delete the vouchers whose retention has ended.

The books keep each voucher's SHA-256 on its entry; for every file deleted a
``voucher_pruned`` event (the file's path relative to the books' main file, with the
hash) is written to the entry's file through the checked entry path, and the file is
deleted under the same lock only once that event is written: moved aside first, put
back if anything after fails, so the books and the folder never disagree.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.entry.events import MetaEvent
from grantpool.entry.guard import AfterWrite
from grantpool.rules.pooldef import PoolDef
from grantpool.vouchers import state
from grantpool.vouchers.store import HASH_KEY, VoucherError


class NothingToPrune(EntryError):
    """No voucher of this file has outlived its retention."""


@dataclass(frozen=True)
class Expired:
    voucher: state.Recorded
    ends: datetime.date  # the last day it had to be kept

    @property
    def entry_file(self) -> Path:
        return Path(str(self.voucher.txn.meta["filename"]))


def check_as_of(as_of: datetime.date, today: datetime.date) -> None:
    """Refuse an *as_of* after *today*: a voucher whose retention has not yet ended in
    fact must never be deleted."""
    if as_of > today:
        raise VoucherError(f"--as-of {as_of} is after today ({today}): vouchers are pruned "
                           f"only once their retention has ended; give today or an earlier "
                           f"day; nothing was pruned")


def expired(entries: list[Any], pool: PoolDef, as_of: datetime.date) -> list[Expired]:
    """The vouchers on file whose retention ended before *as_of* (none without a
    ``retention`` in the pool section), in the books' order."""
    keep = pool.retention
    if keep is None:
        return []
    pruned = state.pruned_names(entries)
    out = []
    for voucher in state.vouchers(entries):
        if voucher.path is None or voucher.name in pruned or not voucher.path.is_file():
            continue
        ends = state.retention_ends(voucher.txn.date, keep.years, keep.year_end_month)
        if ends < as_of:
            out.append(Expired(voucher, ends))
    return out


def prune_draft(books: Books, main: Path, target: Path, as_of: datetime.date,
                chosen: list[Expired]) -> Draft:
    """The ``voucher_pruned`` events of *target*'s expired vouchers (also put in
    *chosen*, for the step that deletes them)."""
    found = [e for e in expired(books.entries, books.pool, as_of) if e.entry_file == target]
    if not found:
        raise NothingToPrune(f"{target.name}: no voucher has outlived its retention")
    chosen[:] = found
    root = main.resolve().parent
    events: list[Any] = [
        MetaEvent(as_of, state.PRUNED,
                  Path(os.path.relpath(e.voucher.path or "", root)).as_posix(),
                  ((HASH_KEY, e.voucher.sha256 or ""), ("retention_ended", str(e.ends))))
        for e in found]
    return Draft(target, events, f"{len(found)} voucher(s) pruned, retention over")


def deleting(chosen: list[Expired], then: AfterWrite | None) -> AfterWrite:
    """The step after the events are written: move the files aside, run *then* (git),
    delete them; on any failure put them back and raise (the events are undone)."""

    def step(written: list[Path], summary: str) -> None:
        moved: list[tuple[Path, Path]] = []
        try:
            for item in chosen:
                path = item.voucher.path
                if path is None:
                    continue
                aside = path.with_name(f".{path.name}.pruning")
                os.replace(path, aside)
                moved.append((path, aside))
            if then is not None:
                then(written, summary)
        except OSError as exc:
            _put_back(moved)
            raise VoucherError(f"{exc.filename}: cannot be deleted ({exc.strerror}); check "
                               f"the folder's permissions; nothing was pruned") from exc
        except BaseException:
            _put_back(moved)
            raise
        for _, aside in moved:
            aside.unlink(missing_ok=True)

    return step


def _put_back(moved: list[tuple[Path, Path]]) -> None:
    for path, aside in reversed(moved):
        os.replace(aside, path)


Make = Callable[[Books], Draft]
