"""The daily check of a federation: each entity's books loaded on their own and judged
(``grantpool.scheduled.judging``), then the transfers between them paired
(``grantpool.federation.pairing``, rule ``transfer-pair``, as ``grantpool check`` does).

One entity's books that cannot be loaded at all (missing, not UTF-8, a file of them
unreadable, no usable rules file) do not stop the others: they are an error finding of
that entity, mailed once to it and the ministry, and the run fails (exit 2) until they
are mended, like a refused statement.  Transfers of an entity not read are not paired
(its halves are unknown, not missing).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import replace

from grantpool.audit.findings import Finding
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.federation.discover import Federation
from grantpool.federation.layout import Entity
from grantpool.federation.pairing import Half, halves
from grantpool.federation.run import UNREADABLE, transfer_problems
from grantpool.federation.work import unreadable_finding
from grantpool.scheduled.config import Thresholds
from grantpool.scheduled.judging import judge
from grantpool.scheduled.outcome import DIGITS, Noticed, Outcome, one_line

NAMED = 3  # entities named in a failure; the rest are counted


def owner(entity: Entity) -> str | None:
    """The municipality an entity's findings are mailed to (None: the pool's, the ministry's)."""
    return entity.name if entity.kind == "municipality" else None


def label(entity: Entity) -> str:
    return entity.name if entity.kind == "municipality" else "the pool"


def notice_federation(federation: Federation, today: datetime.date, thresholds: Thresholds,
                      outcome: Outcome) -> None:
    """Judge every entity's own books as of *today*, then pair the transfers."""
    failed: dict[str, list[str]] = {}  # why -> the entities it happened to
    unread: list[Entity] = []
    found: list[Half] = []
    days: int | None = None
    for entity in federation.entities:
        try:
            books = open_books(entity.main, today)
        except (CannotLoad, NoRules, OSError) as exc:  # OSError: an included file unreadable
            why = one_line(str(exc), None)
            outcome.noticed.append(unreadable(entity, why, today))
            failed.setdefault(f"the books could not be checked: {why}", []).append(label(entity))
            unread.append(entity)
            continue
        noticed, failures = judge(books, today, thresholds, owner(entity))
        outcome.noticed += noticed
        for why in failures:
            failed.setdefault(why, []).append(label(entity))
        found += halves(books.entries)
        days = books.rules.pool.transfer_days if days is None else days
    outcome.noticed += transfer_findings(federation, found, days or 0, unread)
    for why, names in failed.items():
        outcome.fail(f"the books of {listed(names)}: {why}")
    outcome.checked = not failed


def listed(names: list[str]) -> str:
    if len(names) <= NAMED:
        return ", ".join(names)
    return f"{', '.join(names[:NAMED])} and {len(names) - NAMED} more"


def unreadable(entity: Entity, why: str, today: datetime.date) -> Noticed:
    """An entity's books that could not be loaded, as an error finding of that entity;
    keyed by the entity and the reason (not the day), so it is mailed once."""
    finding = replace(unreadable_finding(entity, why), date=today)
    shape = hashlib.sha256(DIGITS.sub("#", why).encode()).hexdigest()[:12]
    return Noticed(finding, owner(entity), f"{UNREADABLE}|{entity.kind}|{entity.name}|{shape}")


def transfer_findings(federation: Federation, found: list[Half], days: int,
                      unread: list[Entity]) -> list[Noticed]:
    """A ``transfer-pair`` error for every transfer whose halves do not pair, but for
    those of an entity whose books were not read."""
    out = []
    for item in transfer_problems(federation, found, days, unread):
        first = item.halves[0]
        finding = Finding("transfer-pair", "error", one_line(item.message, None),
                          first.filename, first.lineno, first.date)
        out.append(Noticed(finding, first.municipality if first.municipality != "?" else None))
    return out
