"""Assemble a federation's books: the pool's, each municipality's, bank statements."""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
from collections import defaultdict
from decimal import Decimal

from grantpool.books import chart as acc
from grantpool.books.periods import ONE_DAY, add_months, month_starts
from grantpool.federation.transfers import slug
from grantpool.generate.model import Balance, BookFile, Txn
from grantpool.generate.muni_file import municipality_file
from grantpool.generate.municipality import (
    MuniPlan,
    citizens_per_municipality,
    courses_for,
    plan_municipality,
)
from grantpool.generate.names import MUNICIPALITIES, codes
from grantpool.generate.options import GenOptions
from grantpool.generate.policy import Policy
from grantpool.generate.pool_file import award_date, pool_file
from grantpool.rules.pooldef import Period, PoolDef

__all__ = ["GenerateError", "build", "fit_pool", "municipality_names", "slug"]


class GenerateError(ValueError):
    """The options ask for books that cannot be made; the message says why."""


def fit_pool(pool: PoolDef, opts: GenOptions) -> tuple[PoolDef, list[str]]:
    """The pool, stretched to the options' years and to the courses asked for."""
    validate(opts, pool)
    notes = []
    if opts.years is not None:
        start = pool.project_period.start
        end = add_months(start, 12 * opts.years) - ONE_DAY
        pool = dataclasses.replace(pool, project_period=Period(start, end))
        notes.append(f"project period set to {start} .. {end} ({opts.years} years)")
    counts = citizens_per_municipality(opts.municipalities, opts.citizens)
    need = sum(courses_for(i, n) for i, n in enumerate(counts)) * pool.per_course
    if need > pool.application_pool:
        factor = math.ceil(need / pool.application_pool)
        pool = dataclasses.replace(pool, appropriation=pool.appropriation * factor,
                                   application_pool=pool.application_pool * factor)
        notes.append(f"appropriation scaled x{factor} to fund {opts.citizens} citizens")
    return pool, notes


def municipality_names(pool: PoolDef) -> tuple[str, ...]:
    """The pool's own municipality names, else Denmark's 98 (the trial's four first)."""
    return pool.municipalities or MUNICIPALITIES


def validate(opts: GenOptions, pool: PoolDef) -> None:
    """Raise ``GenerateError`` for options no books can be made of."""
    names = municipality_names(pool)
    if not 1 <= opts.municipalities <= len(names):
        raise GenerateError(f"--municipalities must be 1..{len(names)} for pool {pool.id}")
    if opts.citizens < opts.municipalities:
        raise GenerateError("--citizens must be at least --municipalities")
    if opts.purchases < 0 or (opts.years is not None and opts.years < 1):
        raise GenerateError("--purchases must be 0 or more and --years 1 or more")


def build(pool: PoolDef, opts: GenOptions, rules: Policy) -> list[BookFile]:
    validate(opts, pool)
    rng = random.Random(opts.seed)
    names = list(municipality_names(pool)[: opts.municipalities])
    code_of = codes(names)
    counts = citizens_per_municipality(opts.municipalities, opts.citizens)
    munis = [
        plan_municipality(rng, pool, opts, i, name, code_of[name], counts[i])
        for i, name in enumerate(names)
    ]
    pool_book = pool_file(pool, munis)
    files = [pool_book]
    files += [municipality_file(pool, m, opts, rules, award_date(pool), pool_book)
              for m in munis]
    _add_statements(files, munis)
    return files


def _add_statements(files: list[BookFile], munis: list[MuniPlan]) -> None:
    """Monthly bank statement balances, asserted on the 1st of the next month."""
    banks = [acc.POOL_BANK] + [acc.muni_bank(m.name) for m in munis]
    deltas: dict[str, dict[datetime.date, Decimal]] = {b: defaultdict(Decimal) for b in banks}
    for book in files:
        for d in book.directives:
            if isinstance(d, Txn):
                for account, amount in d.postings:
                    bank = _bank_of(account)
                    if bank:
                        deltas[bank][d.date] += amount
    for book, bank in zip(files, banks, strict=True):
        days = sorted(deltas[bank])
        running, i = Decimal(0), 0
        for first in month_starts(days[0], add_months(days[-1], 1)):
            while i < len(days) and days[i] < first:
                running += deltas[bank][days[i]]
                i += 1
            book.add(Balance(first, bank, running))


def _bank_of(account: str) -> str | None:
    """The bank account (statement level) an envelope account belongs to, if any."""
    if account == acc.POOL_BANK or account.startswith(acc.POOL_BANK + ":"):
        return acc.POOL_BANK
    parts = account.split(":", 4)
    if account.startswith(acc.MUNICIPALITY_ROOT + ":") and len(parts) > 3 and parts[3] == "Bank":
        return ":".join(parts[:4])
    return None
