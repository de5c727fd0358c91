"""The pool's own ledger file: appropriation, grants awarded, tranches, administration."""

from __future__ import annotations

import datetime
from decimal import Decimal

from grantpool.books import chart as acc
from grantpool.books.periods import add_months
from grantpool.federation import transfers
from grantpool.federation.layout import BOOKS, POOL_DIR
from grantpool.generate.ibans import synthetic_iban
from grantpool.generate.model import BookFile, Directive, Open, Txn, money
from grantpool.generate.municipality import MuniPlan
from grantpool.rules.pooldef import PoolDef

DAY = datetime.timedelta(days=1)
# The kept share pays for administration and evaluation in three instalments.
_ADMIN_SHARES = (Decimal("0.3"), Decimal("0.3"), Decimal("0.4"))


def award_date(pool: PoolDef) -> datetime.date:
    """Grants are awarded (tilsagn) three weeks after the application deadline."""
    return pool.application_deadline + 23 * DAY


def pool_file(pool: PoolDef, munis: list[MuniPlan]) -> BookFile:
    book = BookFile(f"{POOL_DIR}/{BOOKS}", f"The pool: {pool.name}")
    book.add(*pool_opening(pool, synthetic_iban("pool")))
    book.add(*_administration(pool))
    return book


def pool_opening(pool: PoolDef, iban: str | None = None) -> list[Directive]:
    """The pool's accounts (its bank with *iban*, if given) and its appropriation, split
    into application pool and kept share."""
    opened = pool.appropriation_date
    bank_meta = (("iban", iban),) if iban else ()
    out: list[Directive] = [Open(opened, account, bank_meta if account == acc.POOL_BANK else ())
                            for account in (acc.APPROPRIATION, acc.POOL_BANK,
                                            acc.POOL_UNALLOCATED, acc.POOL_ADMINISTRATION,
                                            acc.POOL_RETURNED, acc.POOL_ADMIN_EXPENSES)]
    out.append(Txn(opened, f"Appropriation: {pool.name}", "appropriation", (
        (acc.APPROPRIATION, -pool.appropriation),
        (acc.POOL_UNALLOCATED, pool.application_pool),
        (acc.POOL_ADMINISTRATION, pool.kept_share),
    )))
    return out


def _administration(pool: PoolDef) -> list[Txn]:
    start, end = pool.project_period.start, pool.project_period.end
    dates = (add_months(start, 6), add_months(start, 18), add_months(end, 6))
    amounts = [money(pool.kept_share * share) for share in _ADMIN_SHARES[:-1]]
    amounts.append(pool.kept_share - sum(amounts, Decimal(0)))
    return [
        Txn(day, "Administration and evaluation", "administration", (
            (acc.POOL_ADMINISTRATION, -amount), (acc.POOL_ADMIN_EXPENSES, amount)))
        for day, amount in zip(dates, amounts, strict=True) if amount
    ]


def grant_entries(pool: PoolDef, name: str, courses: int,
                  day: datetime.date) -> tuple[list[Directive], list[Directive]]:
    """The grant awarded (tilsagn) and its tranches, as the pool's halves and the
    municipality's (README.md "Transfers")."""
    award = courses * pool.per_course
    pool_side: list[Directive] = [
        Open(day, acc.pool_granted(name), (("municipality", name),)),
        Open(day, acc.transfers_pool(name), (("municipality", name),)),
    ]
    own: list[Directive] = []
    lines = ((acc.muni_drawing_rights(name), courses * pool.drawing_right),
             (acc.muni_salary(name), courses * pool.salary_per_course))
    halves = [transfers.award(name, day, award, lines, courses)]
    count = pool.tranche_count
    each = money(award / count)
    for k in range(count):
        amount = each if k < count - 1 else award - each * (count - 1)
        when = add_months(pool.project_period.start, k * pool.tranche_every_months)
        halves.append(transfers.tranche(name, when, amount, f"Tranche {k + 1} of {count}"))
    for pool_half, own_half in halves:
        pool_side.append(pool_half)
        own.append(own_half)
    return pool_side, own
