"""The chart of accounts: one function per kind of account, so every command
and the generator name accounts the same way.  README.md "The ledger model"
explains the tree and why it is shaped so.
"""

from __future__ import annotations

import re

APPROPRIATION = "Income:Pool:Appropriation"
POOL_BANK = "Assets:Pool:Bank"
POOL_UNALLOCATED = f"{POOL_BANK}:Unallocated"
POOL_ADMINISTRATION = f"{POOL_BANK}:Administration"
POOL_RETURNED = f"{POOL_BANK}:Returned"
POOL_ADMIN_EXPENSES = "Expenses:Pool:Administration"

MUNICIPALITY_ROOT = "Assets:Municipality"


def component(name: str) -> str:
    """An account component for a display name: 'City of London' -> 'CityOfLondon'."""
    words = re.findall(r"[^\W_]+(?:-[^\W_]+)*", name)
    return "".join(w[:1].upper() + w[1:] for w in words)


def pool_granted(muni: str) -> str:
    return f"{POOL_BANK}:Granted:{component(muni)}"


def pool_awaiting_repayment(muni: str) -> str:
    """The pool's half of a repayment claim: negative while the claimed money is on its way."""
    return f"{POOL_BANK}:AwaitingRepayment:{component(muni)}"


TRANSFERS_ROOT = "Equity:Transfers"


def transfers_pool(muni: str) -> str:
    """The pool's half of the money moved to and from *muni* (tranches less repayments)."""
    return f"{TRANSFERS_ROOT}:{component(muni)}:Pool"


def transfers_municipality(muni: str) -> str:
    """*muni*'s half of the money moved to and from the pool: the mirror of
    ``transfers_pool``, so the two sum to zero in the consolidated books."""
    return f"{TRANSFERS_ROOT}:{component(muni)}:Municipality"


def muni_bank(muni: str) -> str:
    return f"{MUNICIPALITY_ROOT}:{component(muni)}:Bank"


def muni_awaiting(muni: str) -> str:
    return f"{muni_bank(muni)}:AwaitingTranches"


def muni_drawing_rights(muni: str) -> str:
    return f"{muni_bank(muni)}:DrawingRights"


def muni_salary(muni: str) -> str:
    return f"{muni_bank(muni)}:Salary"


def muni_repayment(muni: str) -> str:
    return f"{muni_bank(muni)}:Repayment"


def citizen_available(muni: str, pid: str) -> str:
    return f"{muni_bank(muni)}:Citizen:{pid}:Available"


def citizen_committed(muni: str, pid: str) -> str:
    return f"{muni_bank(muni)}:Citizen:{pid}:Committed"


def salary_expense(muni: str) -> str:
    return f"Expenses:Municipality:{component(muni)}:Salary"


def purchase_expense(muni: str, category_account: str) -> str:
    return f"Expenses:Municipality:{component(muni)}:Purchases:{category_account}"


def retained_expense(muni: str) -> str:
    return f"Expenses:Municipality:{component(muni)}:Retained"
