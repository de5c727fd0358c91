"""Inline books for rule tests: one pool, Lejre's grant of two courses, a citizen.

Clean under rules/dk2017.yaml as of 2018-12-31, but for its bank-reconciled rule:
these books carry no bank statements, so the tests judge them by a copy of the
rules without that rule (``RULES_NO_BANK``), except the test of that rule.  A test
adds its own lines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.conftest import RULES

HEAD = """\
option "title" "Rule test"
option "operating_currency" "DKK"
plugin "grantpool.plugin" "{{rules: {rules}, as_of: {as_of}}}"
2017-01-01 custom "fava-extension" "grantpool.fava_ext"
"""

BASE = """
2017-07-01 open Income:Pool:Appropriation DKK
2017-07-01 open Assets:Pool:Bank DKK
2017-07-01 open Assets:Pool:Bank:Unallocated DKK
2017-07-01 open Assets:Pool:Bank:Administration DKK
2017-11-15 open Assets:Pool:Bank:Granted:Lejre DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:AwaitingTranches DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:DrawingRights DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:Salary DKK
  municipality: "Lejre"
2017-11-15 open Assets:Municipality:Lejre:Bank:Repayment DKK
  municipality: "Lejre"
2017-11-15 open Expenses:Municipality:Lejre:Salary DKK
  municipality: "Lejre"
2017-11-15 open Expenses:Municipality:Lejre:Retained DKK
  municipality: "Lejre"
2017-11-15 open Expenses:Municipality:Lejre:Purchases:HealthDental DKK
  municipality: "Lejre"
  category: "health_dental"
2017-11-15 open Expenses:Municipality:Lejre:Purchases:HousingDeposit DKK
  municipality: "Lejre"
  category: "housing_deposit"
2017-11-15 open Expenses:Municipality:Lejre:Purchases:Alcohol DKK
  municipality: "Lejre"
  category: "alcohol"
2017-11-15 open Expenses:Municipality:Lejre:Purchases:TravelAbroad DKK
  municipality: "Lejre"
  category: "travel_abroad"
2018-03-15 open Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available DKK
  citizen: "P-LEJ-001"
  municipality: "Lejre"
2018-03-15 open Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed DKK
  citizen: "P-LEJ-001"
  municipality: "Lejre"

2017-07-01 * "Appropriation" #appropriation
  Income:Pool:Appropriation                    -10000000.00 DKK
  Assets:Pool:Bank:Unallocated                   9500000.00 DKK
  Assets:Pool:Bank:Administration                 500000.00 DKK

2017-11-15 * "Grant awarded: Lejre, 2 support courses" #grant-award
  Assets:Pool:Bank:Unallocated                    -190000.00 DKK
  Assets:Pool:Bank:Granted:Lejre                   190000.00 DKK
  Assets:Municipality:Lejre:Bank:AwaitingTranches -190000.00 DKK
  Assets:Municipality:Lejre:Bank:DrawingRights     100000.00 DKK
  Assets:Municipality:Lejre:Bank:Salary             90000.00 DKK

2017-12-01 * "Tranche 1 of 1: Lejre" #tranche
  Assets:Pool:Bank:Granted:Lejre                  -190000.00 DKK
  Assets:Municipality:Lejre:Bank:AwaitingTranches  190000.00 DKK

2018-03-15 * "Budget granted: P-LEJ-001" #budget
  Assets:Municipality:Lejre:Bank:DrawingRights                  -50000.00 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available     50000.00 DKK
"""

AVAILABLE = "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available"
COMMITTED = "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Committed"


def purchase(day: str, amount: str, account: str = "HealthDental", meta: str = "",
             source: str = AVAILABLE, narration: str = "Purchase") -> str:
    """A purchase paid from P-LEJ-001's budget (two postings)."""
    return f"""
{day} * "{narration}" #purchase{meta}
  Expenses:Municipality:Lejre:Purchases:{account}   {amount} DKK
  {source}   -{amount} DKK
"""


AVAILABLE_2 = "Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-002:Available"


def second_budget(day: str, amount: str) -> str:
    """A budget for a second citizen, P-LEJ-002, decided on *day*."""
    return f"""
{day} open {AVAILABLE_2} DKK
  citizen: "P-LEJ-002"
  municipality: "Lejre"
{day} * "Budget granted: P-LEJ-002" #budget
  Assets:Municipality:Lejre:Bank:DrawingRights   -{amount} DKK
  {AVAILABLE_2}    {amount} DKK
"""


def commitment(day: str, amount: str) -> str:
    return f"""
{day} * "Commitment: housing_deposit" #commitment
  {AVAILABLE}   -{amount} DKK
  {COMMITTED}    {amount} DKK
"""


def _without_bank_rule() -> Path:
    text = (RULES / "dk2017.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: bank-reconciled")
    end = text.find("\n  - id:", start + 1)
    folder = Path(tempfile.mkdtemp(prefix="grantpool-rules-"))
    path = folder / "dk2017-no-bank.yaml"
    path.write_text(text[:start] + (text[end + 1:] if end != -1 else ""), encoding="utf-8")
    return path


RULES_NO_BANK = _without_bank_rule()


def books(*extra: str, as_of: str = "2018-12-31", rules: Path = RULES_NO_BANK) -> str:
    return HEAD.format(rules=rules, as_of=as_of) + BASE + "".join(extra)
