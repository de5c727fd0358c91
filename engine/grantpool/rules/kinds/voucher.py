"""``voucher``: entries backed by their receipt, and what the auditor's sample found.

An entry with one of the tags ``applies_to`` (default ``[purchase]``) moving more than
``above`` needs a voucher (``document`` and ``voucher_sha256`` metadata, written by
``--voucher``), unless dated before ``required_from``.  Every voucher the books record,
required or not, must still be there with the recorded SHA-256: a missing file or an
altered one is a finding at the entry's line.  A voucher whose file was pruned after its
retention (a ``voucher_pruned`` event naming it) is fine; one pruned before its retention
ended (the pool's ``retention``) is a finding at the event.  Each deviation the auditor
recorded from a sample (an ``audit_deviation`` event, ``grantpool sample record``) is an
error at the entry it names.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from beancount.core import data

from grantpool.rules.context import Context
from grantpool.rules.errors import Problem, finding
from grantpool.rules.index import Index
from grantpool.rules.spec import Common, RuleFields
from grantpool.vouchers import state

FIELDS = ("applies_to", "above", "required_from")
DEVIATION = "audit_deviation"
DEVIATION_TEXT = "audit sample deviation"


class VoucherRule(NamedTuple):
    id: str
    severity: str
    applies_to: tuple[str, ...]
    above: Decimal | None
    required_from: datetime.date | None


def parse(common: Common, f: RuleFields) -> VoucherRule | None:
    before = len(f.errors)
    applies = f.words("applies_to")
    above = f.amount("above", required=False)
    since = f.date("required_from", required=False, bounded=True)
    if len(f.errors) > before or applies is None:
        return None
    return VoucherRule(common.id, common.severity, applies or ("purchase",), above, since)


def _required(rule: VoucherRule, txn: data.Transaction) -> bool:
    return (rule.above is not None
            and (rule.required_from is None or txn.date >= rule.required_from)
            and not set(rule.applies_to).isdisjoint(txn.tags or ())
            and state.amount(txn) > rule.above)


def _judged(rule: VoucherRule, index: Index) -> list[Any]:
    """The entries to look at: those that record a voucher (the index's), or every
    one when some may need a voucher (none does when all are dated before
    ``required_from``, or no ``above`` is given)."""
    since = rule.required_from
    if rule.above is None or (since is not None and index.last_day < since):
        return index.vouchered
    return index.entries


def check(rule: VoucherRule, index: Index, ctx: Context) -> list[Problem]:
    cur = ctx.pool.currency
    pruned = state.pruned_names(index.events)
    out: list[Problem] = []
    for entry in _judged(rule, index):
        if not isinstance(entry, data.Transaction):
            continue
        voucher = state.recorded(entry)
        if voucher is None:
            if _required(rule, entry):
                out.append(finding(rule, entry, f"{state.amount(entry)} {cur} over {rule.above} "
                                                f"{cur} has no voucher; record it with "
                                                f"--voucher FILE"))
            continue
        wrong = state.problem(voucher, pruned)
        if wrong:
            out.append(finding(rule, entry, wrong))
        early = _pruned_early(voucher, pruned, ctx)
        if early:
            out.append(early_finding(rule, pruned[voucher.name], early))
    return out + _deviations(rule, index)


def _pruned_early(voucher: state.Recorded, pruned: dict[str, data.Event],
                  ctx: Context) -> str | None:
    event, keep = pruned.get(voucher.name), ctx.pool.retention
    if event is None or keep is None:
        return None
    ends = state.retention_ends(voucher.txn.date, keep.years, keep.year_end_month)
    if event.date > ends:
        return None
    return (f"voucher {voucher.name} pruned on {event.date}, but it must be kept until {ends} "
            f"({keep.years} years after its financial year)")


def early_finding(rule: VoucherRule, event: data.Event, message: str) -> Problem:
    return finding(rule, event, message)


def _deviations(rule: VoucherRule, index: Index) -> list[Problem]:
    """One error per ``audit_deviation`` event, at the entry it names (``file:line``
    relative to the event's file), or at the event when that entry is not found."""
    events = [e for e in index.events if e.type == DEVIATION]
    if not events:
        return []
    at = {(str((e.meta or {}).get("filename")), (e.meta or {}).get("lineno")): e
          for e in index.entries if isinstance(e, data.Transaction)}
    out = []
    for event in events:
        meta = event.meta or {}
        where = str(meta.get("transaction", ""))
        path, _, line = where.rpartition(":")
        base = str(meta.get("filename", ""))
        full = os.path.normpath(Path(base).parent / path) if os.path.isabs(base) else ""
        target = at.get((full, int(line))) if line.isdigit() else None
        what = (f"{DEVIATION_TEXT} recorded {event.date} ({event.description[:80]}): the "
                f"auditor found the voucher does not bear this entry out; correct the entry")
        out.append(finding(rule, target, what, "error") if target is not None else
                   finding(rule, event, f"{what}; the entry {where[:80]} is not found"))
    return out
