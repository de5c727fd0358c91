"""A municipality's grant: its citizens' budgets, the real cases, payroll and closing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from grantpool.books.periods import ONE_DAY, window
from grantpool.generate.citizens import CitizenPlan, draw_purchases, fill
from grantpool.generate.model import money
from grantpool.generate.options import GenOptions
from grantpool.rules.pooldef import Period, PoolDef

DAY = datetime.timedelta(days=1)

# Which municipality (by position) carries which of the trial's real cases.
EXCLUSIONS, MOVED_OUT, EXACT_CAP, SMALL_UNSPENT = 0, 1, 2, 3


@dataclass
class MuniPlan:
    index: int
    name: str
    code: str
    courses: int
    citizens: list[CitizenPlan]

    def award(self, pool: PoolDef) -> Decimal:
        return self.courses * pool.per_course

    def drawing_rights(self, pool: PoolDef) -> Decimal:
        return self.courses * pool.drawing_right

    def salary(self, pool: PoolDef) -> Decimal:
        return self.courses * pool.salary_per_course

    def unspent(self, pool: PoolDef) -> Decimal:
        granted = sum((c.granted for c in self.citizens), Decimal(0))
        left = sum((c.unspent for c in self.citizens), Decimal(0))
        return self.drawing_rights(pool) - granted + left


def budget_window(pool: PoolDef, decision: datetime.date) -> Period:
    """The budget's window under the pool's rules, clipped to the project if they say so."""
    clip = pool.project_period if pool.clip_window else None
    return window(decision, pool.window_months, clip)


def latest_start(pool: PoolDef) -> datetime.date:
    """The last decision date whose full window still fits in the project period."""
    full = window(pool.project_period.start, pool.window_months)
    return pool.project_period.end - (full.end - full.start)


def courses_for(index: int, citizens: int) -> int:
    """Support courses funded: one fewer than citizens where a replacement citizen is."""
    return citizens - 1 if index == EXCLUSIONS and citizens >= 5 else citizens


def citizens_per_municipality(municipalities: int, citizens: int) -> list[int]:
    base, extra = divmod(citizens, municipalities)
    return [base + (i < extra) for i in range(municipalities)]


def plan_municipality(
    rng: random.Random, pool: PoolDef, opts: GenOptions, index: int, name: str, code: str,
    citizens: int,
) -> MuniPlan:
    courses = courses_for(index, citizens)
    replacement = courses < citizens
    first, last = pool.project_period.start + 14 * DAY, latest_start(pool)
    span = max((last - first).days, 0)
    decisions = sorted(first + rng.randint(0, span) * DAY for _ in range(courses))
    plans = [
        _plan_citizen(rng, pool, opts, index, f"P-{code}-{i + 1:03d}", name, day, i)
        for i, day in enumerate(decisions)
    ]
    muni = MuniPlan(index, name, code, courses, plans)
    if replacement:
        plans.append(_replacement(rng, pool, opts, muni))
        if not plans[-1].granted:  # nothing came back in time to grant again
            plans.pop()
    if index == SMALL_UNSPENT:
        _spend_down_to(rng, pool, muni, opts.small_unspent)
    return muni


def _plan_citizen(
    rng: random.Random, pool: PoolDef, opts: GenOptions, index: int, pid: str, name: str,
    decision: datetime.date, position: int,
) -> CitizenPlan:
    full = rng.random() < 0.9 or index == SMALL_UNSPENT
    granted = pool.drawing_right if full else money(pool.drawing_right * Decimal("0.7"))
    plan = CitizenPlan(pid, name, decision, granted, budget_window(pool, decision))
    if index == EXCLUSIONS and position in (1, 3):
        plan.end_event = ("excluded", decision + rng.randint(60, 120) * DAY)
    if index == MOVED_OUT and position == 2:
        plan.end_event = ("moved_out", decision + rng.randint(120, 200) * DAY)
    fraction = Decimal(str(round(rng.triangular(0.3, 1.0, 0.85), 2)))
    draw_purchases(rng, pool, plan, granted * fraction, opts.purchases)
    if index == EXACT_CAP and position == 0:
        fill(rng, pool, plan, plan.unspent)
    return plan


def _replacement(
    rng: random.Random, pool: PoolDef, opts: GenOptions, muni: MuniPlan
) -> CitizenPlan:
    """A new citizen granted what the excluded citizens returned (at most one budget)."""
    excluded = [c for c in muni.citizens if c.end_event and c.end_event[0] == "excluded"]
    returned = sum((c.unspent for c in excluded), Decimal(0))
    granted = min(pool.drawing_right, money(returned // 100 * 100))
    decision = max(c.ended_on() for c in excluded) + (opts.return_days + 7) * DAY
    if decision > latest_start(pool):  # too late for a whole window: no replacement
        granted = Decimal(0)
    pid = f"P-{muni.code}-{len(muni.citizens) + 1:03d}"
    plan = CitizenPlan(pid, muni.name, decision, granted, budget_window(pool, decision))
    draw_purchases(rng, pool, plan, granted, opts.purchases)
    return plan


def _spend_down_to(rng: random.Random, pool: PoolDef, muni: MuniPlan, target: Decimal) -> None:
    """Top up purchases so the grant's final unspent money is exactly *target*."""
    need = muni.unspent(pool) - target
    for plan in muni.citizens:
        if need <= 0:
            break
        if plan.end_event is None and plan.last_day >= plan.window.start:
            amount = min(plan.unspent, need)
            fill(rng, pool, plan, amount)
            need -= amount


def return_date(plan: CitizenPlan, opts: GenOptions) -> datetime.date:
    return plan.ended_on() + opts.return_days * DAY


def close_date(plan: CitizenPlan, opts: GenOptions) -> datetime.date:
    return (return_date(plan, opts) if plan.unspent else plan.ended_on()) + ONE_DAY
