"""What each account is for, read from its name and its ``open`` metadata.

Identity (which citizen, which municipality) comes from metadata, as the
conventions in README.md require; the role comes from the account's last
component, as ``grantpool.books.chart`` names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beancount.core import data

from grantpool.books import chart as acc

POOL_ROLES = {
    acc.APPROPRIATION: "appropriation",
    acc.POOL_BANK: "pool_bank",
    acc.POOL_UNALLOCATED: "pool_unallocated",
    acc.POOL_ADMINISTRATION: "pool_administration",
    acc.POOL_RETURNED: "pool_returned",
    acc.POOL_ADMIN_EXPENSES: "pool_admin_expenses",
}
MUNI_ROLES = {
    "Bank": "muni_bank",
    "AwaitingTranches": "awaiting",
    "DrawingRights": "drawing_rights",
    "Salary": "salary_line",
    "Repayment": "repayment",
    "Available": "citizen_available",
    "Committed": "citizen_committed",
}


@dataclass(frozen=True)
class Role:
    role: str
    municipality: str | None = None
    citizen: str | None = None
    category: str | None = None


def role_of(account: str, meta: dict[str, Any]) -> Role | None:
    """The role of *account*, or None for an account outside the model."""
    muni = meta.get("municipality")
    muni = muni if isinstance(muni, str) else None
    if account in POOL_ROLES:
        return Role(POOL_ROLES[account])
    if account.startswith((acc.POOL_BANK + ":", acc.TRANSFERS_ROOT + ":")):
        kind = _pool_side(account)
        return Role(kind, muni) if kind else None
    leaf = account.rsplit(":", 1)[-1]
    if account.startswith("Expenses:Municipality:"):
        if ":Purchases:" in account:
            category = meta.get("category")
            return Role("purchase", muni, category=category if isinstance(category, str) else None)
        kind = {"Salary": "salary_expense", "Retained": "retained"}.get(leaf)
        return Role(kind, muni) if kind else None
    if account.startswith(acc.MUNICIPALITY_ROOT + ":") and leaf in MUNI_ROLES:
        citizen = meta.get("citizen")
        return Role(MUNI_ROLES[leaf], muni, citizen if isinstance(citizen, str) else None)
    return None


def _pool_side(account: str) -> str | None:
    """The role of a pool account kept per municipality, or of a transfers account."""
    prefixes = {acc.POOL_BANK + ":Granted:": "pool_granted",
                acc.POOL_BANK + ":AwaitingRepayment:": "pool_awaiting_repayment"}
    for prefix, kind in prefixes.items():
        if account.startswith(prefix):
            return kind
    if account.startswith(acc.TRANSFERS_ROOT + ":"):
        leaf = account.rsplit(":", 1)[-1]
        return {"Pool": "transfers_pool", "Municipality": "transfers_municipality"}.get(leaf)
    return None


def roles(entries: list[data.Directive]) -> dict[str, Role]:
    """Every opened account of the model, by name."""
    result = {}
    for entry in entries:
        if isinstance(entry, data.Open):
            role = role_of(entry.account, entry.meta or {})
            if role is not None:
                result[entry.account] = role
    return result
