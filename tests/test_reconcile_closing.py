"""Reconcile ties for every legal way a grant can close, and every figure of the
closed books sums its linked postings: Lejre's grant of two courses (100,000 drawing
rights, 90,000 salary), one or two citizens, closed after the project period."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from grantpool.audit.grant_accounts import grant_accounts
from grantpool.audit.reconcile import reconcile
from grantpool.figures.report import rows
from grantpool.rules import engine
from tests.reporting import fava_ledger, walk_rows
from tests.rulebooks import AVAILABLE, AVAILABLE_2, RULES_NO_BANK, books, purchase, second_budget

AS_OF = datetime.date(2020, 12, 31)
LEJRE = "Assets:Municipality:Lejre:Bank"
OPEN = """
2017-07-01 open Assets:Pool:Bank:Returned DKK
2018-03-15 open Expenses:Municipality:Lejre:Purchases:Clothing DKK
  municipality: "Lejre"
  category: "clothing"
"""


def salary(*amounts: str) -> str:
    days = ["2018-03-31", "2018-06-30", "2018-09-30", "2018-12-31", "2019-03-31",
            "2019-06-30", "2019-09-30", "2019-12-31", "2019-12-30"]
    return "".join(f"""
{day} * "Payroll: support staff" #salary
  {LEJRE}:Salary   -{amount} DKK
  Expenses:Municipality:Lejre:Salary   {amount} DKK
""" for day, amount in zip(days, amounts, strict=False))


def give_back(amount: str, source: str = AVAILABLE) -> str:
    return f"""
2019-03-20 * "Unspent budget returned" #return
  {source}   -{amount} DKK
  {LEJRE}:DrawingRights   {amount} DKK
"""


def closing(tag: str, lines: dict[str, str], paid: bool = True) -> str:
    """The accounts submitted, then the unspent money claimed (and paid) or kept."""
    total = sum((Decimal(v) for v in lines.values()), Decimal(0))
    target = (f"{LEJRE}:Repayment" if tag == "repayment-claim"
              else "Expenses:Municipality:Lejre:Retained")
    out = '\n2020-03-20 event "accounts_submitted" "Lejre"\n'
    out += f'\n2020-04-20 * "Closing" #{tag}\n' + "".join(
        f"  {LEJRE}:{line}   -{amount} DKK\n" for line, amount in lines.items())
    out += f"  {target}   {total} DKK\n"
    if paid and tag == "repayment-claim":
        out += (f'\n2020-05-20 * "Repayment paid to the pool" #repayment\n'
                f"  {LEJRE}:Repayment   -{total} DKK\n  Assets:Pool:Bank:Returned   {total} DKK\n")
    return out


EIGHT = ["10000.00"] * 8
APPROVED = '\n  approval: "2018-0042"'


def big(day: str, amount: str, account: str = "HealthDental", source: str = AVAILABLE) -> str:
    """A purchase over the approval threshold, approved."""
    return purchase(day, amount, account, APPROVED, source)


SCENARIOS = {
    "salary_partly_spent": OPEN + big("2018-04-10", "30000.00") + purchase(
        "2018-05-10", "20000.00", "Clothing") + salary(*EIGHT) + closing(
        "repayment-claim", {"DrawingRights": "50000.00", "Salary": "10000.00"}),
    "budgets_partly_spent": OPEN + big("2018-04-10", "30000.00") + purchase(
        "2018-05-10", "2500.00", "Clothing") + give_back("17500.00") + salary(
        *EIGHT, "10000.00") + closing("repayment-claim", {"DrawingRights": "67500.00"}),
    "carry_over_approved": OPEN + big("2018-04-10", "30000.00") + purchase(
        "2018-05-10", "2500.00", "Clothing") + give_back("17500.00") + salary(*EIGHT)
    + '\n2020-03-01 event "carry_over_approved" "Lejre"\n'
    + '\n2020-03-20 event "accounts_submitted" "Lejre"\n',
    "de_minimis": OPEN + second_budget("2018-03-20", "49800.00") + big(
        "2018-04-10", "30000.00") + purchase("2018-05-10", "20000.00", "Clothing") + big(
        "2018-06-10", "49800.00", "Clothing", AVAILABLE_2) + salary(
        *EIGHT, "9900.00") + closing("de-minimis", {"DrawingRights": "200.00",
                                                   "Salary": "100.00"}),
}
UNSPENT = {"salary_partly_spent": ("60000.00", "repayment_due"),
           "budgets_partly_spent": ("67500.00", "repayment_due"),
           "carry_over_approved": ("77500.00", "carry_over"),
           "de_minimis": ("300.00", "kept")}


def write(tmp_path: Path, scenario: str) -> Path:
    path = tmp_path / "main.beancount"
    path.write_text(books(SCENARIOS[scenario], as_of=str(AS_OF)), encoding="utf-8")
    return path


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_reconcile_closing__a_grant_closed_this_way_ties_and_agrees_with_its_links(
    tmp_path: Path, scenario: str
) -> None:
    ledger = fava_ledger(write(tmp_path, scenario))
    rules, _ = engine.load(RULES_NO_BANK)
    assert rules is not None
    entries = list(ledger.all_entries)
    assert [e.message for e in ledger.errors if "repayment-claim" not in e.message] == []
    tree = reconcile(entries, rules, AS_OF)
    assert tree.ok, [(c.name, c.difference) for m in tree.children for c in m.checks]
    found = [r for level in ("pool", "municipality", "citizen")
             for r in rows(entries, rules.pool, AS_OF, level)]
    assert walk_rows(ledger, found, rules.pool, AS_OF) == []
    [lejre] = [r for r in found if r.level == "municipality"]
    amount, line = UNSPENT[scenario]
    claimed = Decimal(amount) if line == "repayment_due" else Decimal(0)
    kept = Decimal(amount) if line == "kept" else Decimal(0)
    assert (lejre.returned, lejre.kept) == (claimed, kept)
    accounts = grant_accounts(entries, rules.pool, "Lejre", rules.pool.project_period)
    assert accounts.amount("unspent") == accounts.amount(line) == Decimal(amount)


def test_reconcile_closing__a_grant_closed_with_salary_partly_spent_ties(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner  # noqa: PLC0415

    from grantpool.cli import main  # noqa: PLC0415

    result = CliRunner().invoke(main, ["reconcile", str(write(tmp_path, "salary_partly_spent")),
                                       "--as-of", str(AS_OF)])
    assert result.exit_code == 0, result.output
    assert "DOES NOT TIE" not in result.output
