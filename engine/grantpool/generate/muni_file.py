"""Render a municipality's plan as directives of its own ledger file."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from grantpool.books import chart as acc
from grantpool.books.periods import add_months
from grantpool.federation import transfers
from grantpool.federation.layout import BOOKS, entity_dir
from grantpool.generate.citizens import CitizenPlan
from grantpool.generate.ibans import synthetic_iban
from grantpool.generate.model import BookFile, Close, Directive, Event, Open, Txn, money
from grantpool.generate.municipality import MuniPlan, close_date, return_date
from grantpool.generate.options import GenOptions
from grantpool.generate.policy import Policy
from grantpool.generate.pool_file import grant_entries
from grantpool.rules.pooldef import PoolDef

DAY = datetime.timedelta(days=1)


def municipality_file(
    pool: PoolDef, muni: MuniPlan, opts: GenOptions, rules: Policy, award_date: datetime.date,
    pool_book: BookFile,
) -> BookFile:
    """*muni*'s own books; the pool's halves of its transfers go into *pool_book*."""
    book = BookFile(f"{entity_dir('municipality', muni.name)}/{BOOKS}",
                    f"{muni.name}: grant, budgets, purchases")
    book.add(*grant_opens(pool, muni.name, award_date, synthetic_iban(muni.name)))
    pool_side, own = grant_entries(pool, muni.name, muni.courses, award_date)
    pool_book.add(*pool_side)
    book.add(*own)
    for plan in muni.citizens:
        book.add(*_citizen(plan, opts, rules))
    book.add(*_payroll(pool, muni))
    closing, pool_closing = _closing(pool, muni, rules)
    book.add(*closing)
    pool_book.add(*pool_closing)
    return book


def grant_opens(pool: PoolDef, name: str, day: datetime.date,
                iban: str | None = None) -> list[Directive]:
    """The accounts of a municipality's grant: bank (with its *iban*, if given),
    envelopes, salary and categories."""
    meta = (("municipality", name),)
    bank = acc.muni_bank(name)
    grant_accounts = [
        bank, acc.muni_awaiting(name), acc.muni_drawing_rights(name),
        acc.muni_salary(name), acc.salary_expense(name), acc.transfers_municipality(name),
    ]
    bank_meta = (*meta, ("iban", iban)) if iban else meta
    out: list[Directive] = [Open(day, a, bank_meta if a == bank else meta)
                            for a in grant_accounts]
    out += [Open(day, acc.purchase_expense(name, c.account), (*meta, ("category", c.code)))
            for c in pool.categories]
    return out


def _approval(rules: Policy, pid: str, number: int, amount: Decimal) -> tuple[tuple[str, str], ...]:
    """A case reference for a purchase the rules want approved (no personal data in it)."""
    if rules.approval_above is None or amount <= rules.approval_above:
        return ()
    return ((rules.approval_meta, f"{pid}/A{number}"),)


def _citizen(plan: CitizenPlan, opts: GenOptions, rules: Policy) -> list[Directive]:
    muni, pid = plan.muni, plan.pid
    available, committed = acc.citizen_available(muni, pid), acc.citizen_committed(muni, pid)
    meta = (("citizen", pid), ("municipality", muni))
    out: list[Directive] = [
        Open(plan.decision, available, meta),
        Open(plan.decision, committed, meta),
        Txn(plan.decision, f"Budget granted: {pid}", "budget",
            ((acc.muni_drawing_rights(muni), -plan.granted), (available, plan.granted))),
    ]
    for number, p in enumerate(plan.purchases, 1):
        expense = acc.purchase_expense(muni, p.category.account)
        if p.committed_on is not None:
            out.append(Txn(p.committed_on, f"Commitment: {p.category.code}", "commitment",
                           ((available, -p.amount), (committed, p.amount))))
            source = committed
        else:
            source = available
        out.append(Txn(p.date, f"Purchase: {p.category.code}", "purchase",
                       ((expense, p.amount), (source, -p.amount)),
                       _approval(rules, pid, number, p.amount)))
    if plan.end_event:
        out.append(Event(plan.end_event[1], plan.end_event[0], pid))
    if plan.unspent:
        reason = plan.end_event[0].replace("_", " ") if plan.end_event else "window ended"
        out.append(Txn(return_date(plan, opts), f"Unspent budget returned ({reason}): {pid}",
                       "return",
                       ((available, -plan.unspent), (acc.muni_drawing_rights(muni), plan.unspent))))
    closing = close_date(plan, opts)
    out += [Close(closing, available), Close(closing, committed)]
    return out


def _payroll(pool: PoolDef, muni: MuniPlan) -> list[Txn]:
    """Staff salary (loenkroner) paid in equal monthly amounts over the project period."""
    period = pool.project_period
    month_ends = []
    day = period.start.replace(day=1)
    while day <= period.end:
        month_ends.append(day.replace(day=calendar.monthrange(day.year, day.month)[1]))
        day = add_months(day, 1)
    total = muni.salary(pool)
    each = money(total / len(month_ends))
    amounts = [each] * (len(month_ends) - 1) + [total - each * (len(month_ends) - 1)]
    return [
        Txn(min(end, period.end), "Payroll: support staff", "salary",
            ((acc.muni_salary(muni.name), -amount), (acc.salary_expense(muni.name), amount)))
        for end, amount in zip(month_ends, amounts, strict=True) if amount
    ]


def _closing(pool: PoolDef, muni: MuniPlan,
             rules: Policy) -> tuple[list[Directive], list[Directive]]:
    """Accounts submitted; the unspent money claimed back, or kept under the de-minimis.
    Returns the municipality's directives and the pool's halves."""
    submitted = rules.accounts_submitted
    out: list[Directive] = [Event(submitted, "accounts_submitted", muni.name)]
    unspent = muni.unspent(pool)
    source = acc.muni_drawing_rights(muni.name)
    meta = (("municipality", muni.name),)
    if unspent <= 0:
        return out, []
    if unspent < pool.de_minimis:
        retained = acc.retained_expense(muni.name)
        out.append(Open(submitted, retained, meta))
        out.append(Txn(submitted, f"Unspent {unspent} under the de-minimis: not claimed",
                       "de-minimis", ((source, -unspent), (retained, unspent))))
        return out, []
    claim, paid = submitted + 30 * DAY, submitted + 60 * DAY
    claimed = transfers.claim(muni.name, claim, ((source, unspent),))
    repaid = transfers.repayment(muni.name, paid, unspent)
    out += [Open(claim, acc.muni_repayment(muni.name), meta), claimed[1], repaid[1]]
    pool_side: list[Directive] = [Open(claim, acc.pool_awaiting_repayment(muni.name), meta),
                                  claimed[0], repaid[0]]
    return out, pool_side
