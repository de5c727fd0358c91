"""One citizen's budget life: decision, purchases by category, end, return."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from grantpool.books.periods import ONE_DAY
from grantpool.generate.model import money
from grantpool.rules.categories import Category
from grantpool.rules.pooldef import Period, PoolDef

# Everyday items are bought more often than a driving licence or a dental rehabilitation.
_WEIGHT_BY_PRICE = ((1000, 4), (5000, 3), (15000, 2))
COMMITTED_CATEGORY = "housing_deposit"


@dataclass
class Purchase:
    date: datetime.date
    amount: Decimal
    category: Category
    committed_on: datetime.date | None = None


@dataclass
class CitizenPlan:
    pid: str
    muni: str
    decision: datetime.date
    granted: Decimal
    window: Period
    purchases: list[Purchase] = field(default_factory=list)
    end_event: tuple[str, datetime.date] | None = None

    @property
    def spent(self) -> Decimal:
        return sum((p.amount for p in self.purchases), Decimal(0))

    @property
    def unspent(self) -> Decimal:
        return self.granted - self.spent

    @property
    def last_day(self) -> datetime.date:
        """The last day a purchase may be made: window end, or the day before it ended."""
        return self.end_event[1] - ONE_DAY if self.end_event else self.window.end

    def ended_on(self) -> datetime.date:
        return self.end_event[1] if self.end_event else self.window.end


def _weight(category: Category) -> int:
    return next((w for limit, w in _WEIGHT_BY_PRICE if category.price_high <= limit), 1)


def _price(rng: random.Random, category: Category) -> Decimal:
    low, high = int(category.price_low), int(category.price_high)
    value = rng.randint(low, high)
    return money(round(value, -1) if value >= 2000 else value)


def draw_purchases(
    rng: random.Random, pool: PoolDef, plan: CitizenPlan, target: Decimal, count: int
) -> None:
    """Add up to *count* purchases whose total stays at or under *target*."""
    cats = [c for c in pool.categories]
    weights = [_weight(c) for c in cats]
    amounts: list[tuple[Decimal, Category]] = []
    total = Decimal(0)
    for _ in range(count * 4):
        if len(amounts) >= count:
            break
        category = rng.choices(cats, weights)[0]
        price = _price(rng, category)
        if total + price <= target:
            amounts.append((price, category))
            total += price
    span = (plan.last_day - plan.window.start).days
    days = sorted(rng.randint(0, max(span, 0)) for _ in amounts)
    for offset, (price, category) in zip(days, amounts, strict=True):
        when = plan.window.start + datetime.timedelta(days=offset)
        committed = None
        if category.code == COMMITTED_CATEGORY:
            committed = max(plan.window.start, when - datetime.timedelta(rng.randint(14, 45)))
        plan.purchases.append(Purchase(when, price, category, committed))


def fill(rng: random.Random, pool: PoolDef, plan: CitizenPlan, amount: Decimal) -> None:
    """Spend exactly *amount* more in catalogue-priced purchases; the last one is partial."""
    span = max((plan.last_day - plan.window.start).days, 0)
    cats = [c for c in pool.categories if c.code != COMMITTED_CATEGORY] or list(pool.categories)
    left = money(amount)
    while left > 0:
        category = rng.choice(cats)
        price = min(_price(rng, category), left)
        when = plan.window.start + datetime.timedelta(days=rng.randint(0, span))
        plan.purchases.append(Purchase(when, price, category))
        left -= price
    plan.purchases.sort(key=lambda p: p.date)
