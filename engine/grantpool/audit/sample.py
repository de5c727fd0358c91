"""The auditor's sample (stikproeve) of a municipality's purchases: reproducible from a seed.

The population is the entity's ``#purchase`` entries dated in the period, in the books'
order (date, file, line).  Key items are taken whole: every purchase over
``key_over``, or, when none is given, every purchase at or above the sampling interval
(worked out again on the rest until none is left: the usual rule that an item as large as
the interval is checked in full).  From the rest, ``size`` sampling points are drawn:

- ``mus`` (monetary-unit sampling, the default): systematic, every ``interval = total / size``
  kroner from a random start in ``[0, interval)`` drawn from the seed; a purchase is
  selected when a point falls in its kroner, so it is chosen with probability
  ``min(1, size * amount / total)``;
- ``random``: ``size`` purchases drawn without replacement, each equally likely.

The random numbers are Python's Mersenne Twister seeded with ``seed``: the same books,
options and seed give the same sample on any machine.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from beancount.core import data

from grantpool.rules.pooldef import Period
from grantpool.vouchers import state

METHODS = ("mus", "random")
ZERO = Decimal(0)
START_STEPS = 10**12  # the random start's resolution: an interval in a million million steps


class Item(NamedTuple):
    """One purchase of the population; ``source`` is the entry's meta (file, line)."""

    date: Any
    citizen: str
    category: str
    amount: Decimal
    source: dict[str, Any]
    voucher: str  # the voucher's path relative to the books' folder, or ""
    sha256: str


@dataclass(frozen=True)
class Sample:
    population: tuple[Item, ...]
    chosen: tuple[tuple[Item, str], ...]  # (item, "key item" | method), in the books' order
    key_over: Decimal
    interval: Decimal  # mus: the sampling interval on the rest (0 for random)
    start: Decimal  # mus: the first sampling point


def population(entries: Iterable[Any], entity: str, period: Period, root: Path) -> list[Item]:
    """The purchases of *entity* dated in *period*; voucher paths relative to *root*."""
    opens = {e.account: e.meta for e in entries if isinstance(e, data.Open)}
    items = []
    for txn in entries:
        if not (isinstance(txn, data.Transaction) and "purchase" in (txn.tags or ())
                and txn.date in period):
            continue
        spent = [(p, opens.get(p.account, {})) for p in txn.postings
                 if p.units is not None and p.units.number and p.units.number > 0]
        mine = [(p, m) for p, m in spent if m.get("municipality") == entity and "category" in m]
        if not mine:
            continue
        who = next((str(opens.get(p.account, {}).get("citizen")) for p in txn.postings
                    if "citizen" in opens.get(p.account, {})), "")
        voucher = state.recorded(txn)
        where = (Path(voucher.path).relative_to(root).as_posix()
                 if voucher and voucher.path and voucher.path.is_relative_to(root) else
                 voucher.value if voucher else "")
        spent_here = sum((p.units.number for p, _ in mine if p.units and p.units.number), ZERO)
        items.append(Item(txn.date, who, str(mine[0][1]["category"]), spent_here, dict(txn.meta),
                          where, (voucher.sha256 or "") if voucher else ""))
    items.sort(key=lambda i: (i.date, str(i.source.get("filename")), i.source.get("lineno", 0)))
    return items


def key_items(items: list[Item], size: int, key_over: Decimal | None) -> tuple[Decimal, set[int]]:
    """The key-item amount and the positions of the key items."""
    if key_over is not None:
        return key_over, {n for n, i in enumerate(items) if i.amount > key_over}
    keys: set[int] = set()
    while True:
        rest = sum((i.amount for n, i in enumerate(items) if n not in keys), ZERO)
        interval = rest / size if size else ZERO
        more = {n for n, i in enumerate(items) if n not in keys and interval
                and i.amount >= interval}
        if not more:
            smallest = min((items[n].amount for n in keys), default=ZERO)
            return (interval if interval or not keys else smallest), keys
        keys |= more


def mus(items: list[Item], size: int, rng: random.Random) -> tuple[set[int], Decimal, Decimal]:
    """Systematic monetary-unit sampling: the positions hit, the interval, the start."""
    total = sum((i.amount for i in items), ZERO)
    if size <= 0 or total <= 0:
        return set(), ZERO, ZERO
    interval = total / size
    start = interval * Decimal(rng.randrange(START_STEPS)) / START_STEPS
    hit, point, low = set(), start, ZERO
    for n, item in enumerate(items):
        high = low + item.amount
        while point < high and point < total:
            hit.add(n)
            point += interval
        low = high
    return hit, interval, start


def draw(items: list[Item], size: int, seed: int, method: str = "mus",
         key_over: Decimal | None = None) -> Sample:
    """The sample of *items* (a ``population``): key items whole, *size* points of the rest."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    key_amount, keys = key_items(items, size, key_over)
    rest = [n for n in range(len(items)) if n not in keys]
    rng = random.Random(seed)
    interval = start = ZERO
    if method == "mus":
        hit, interval, start = mus([items[n] for n in rest], size, rng)
        picked = {rest[k] for k in hit}
    else:
        picked = set(rng.sample(rest, min(size, len(rest))))
    chosen = tuple((item, "key item" if n in keys else method) for n, item in enumerate(items)
                   if n in keys or n in picked)
    return Sample(tuple(items), chosen, key_amount, interval, start)
