"""Caps at every level, counting commitments as well as payments."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.rulebooks import books, commitment, purchase, second_budget
from tests.ruletools import custom_rules, findings, line_of

Loader = Callable[[str], Any]


def test_cap__base_books_are_clean(load_doc: Loader) -> None:
    assert findings(load_doc(books())) == []


def test_cap__budget_spent_to_exactly_50000_passes(load_doc: Loader) -> None:
    text = books(purchase("2018-06-01", "30000.00", meta='\n  approval: "P-LEJ-001/A1"'),
                 purchase("2018-07-01", "20000.00"))
    assert [f for f in findings(load_doc(text)) if f.severity == "error"] == []


def test_cap__one_ore_over_50000_is_refused(load_doc: Loader, tmp_path: Path) -> None:
    text = books(purchase("2018-06-01", "30000.00", meta='\n  approval: "P-LEJ-001/A1"'),
                 purchase("2018-07-01", "20000.01", narration="The one over"))
    [over] = [f for f in findings(load_doc(text)) if f.rule == "citizen-cap"]
    assert over.severity == "error"
    assert over.source["lineno"] == line_of(tmp_path / "main.beancount", "The one over")
    assert "50000.01 DKK committed and spent, over the cap of 50000.00 DKK by 0.01 DKK" in (
        over.message)


def test_cap__a_commitment_not_yet_paid_crosses_the_cap(load_doc: Loader) -> None:
    text = books(purchase("2018-06-01", "15000.00"), commitment("2018-07-01", "35000.01"))
    [over] = [f for f in findings(load_doc(text)) if f.rule == "citizen-cap"]
    assert over.entry.narration.startswith("Commitment") and "by 0.01 DKK" in over.message


def test_cap__warns_at_80_percent_while_the_budget_runs(load_doc: Loader) -> None:
    text = books(purchase("2018-06-01", "15000.00"), purchase("2018-07-01", "15000.00"),
                 purchase("2018-08-01", "10000.00"))
    [warning] = [f for f in findings(load_doc(text)) if f.rule == "citizen-cap"]
    assert warning.severity == "warning" and warning.entry.date.isoformat() == "2018-08-01"
    assert warning.message.startswith("warning [citizen-cap]")
    assert type(warning).__name__ == "RuleWarning"


def test_cap__no_warning_once_the_budget_has_ended(load_doc: Loader) -> None:
    text = books(purchase("2018-06-01", "40000.00", meta='\n  approval: "P-LEJ-001/A1"'),
                 """
2019-03-20 * "Unspent budget returned: P-LEJ-001" #return
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available   -10000.00 DKK
  Assets:Municipality:Lejre:Bank:DrawingRights                  10000.00 DKK
""", as_of="2019-06-30")
    assert [f for f in findings(load_doc(text)) if f.rule == "citizen-cap"] == []


def test_cap__a_budget_granted_over_50000_is_refused(load_doc: Loader) -> None:
    text = books(second_budget("2018-04-01", "50000.01"))
    [over] = [f for f in findings(load_doc(text)) if f.rule == "citizen-cap"]
    assert "P-LEJ-002: 50000.01 DKK granted as budget" in over.message
    assert [f.rule for f in findings(load_doc(text)) if f.rule.startswith("grant")] == [
        "grant-line-overdraw"]


def test_cap__a_fifth_municipality_that_would_breach_the_pool(load_doc: Loader) -> None:
    text = books("""
2017-11-15 open Assets:Pool:Bank:Granted:Roskilde DKK
  municipality: "Roskilde"
2017-11-15 open Assets:Municipality:Roskilde:Bank:AwaitingTranches DKK
  municipality: "Roskilde"
2017-11-15 open Assets:Municipality:Roskilde:Bank:DrawingRights DKK
  municipality: "Roskilde"
2017-11-15 open Assets:Municipality:Roskilde:Bank:Salary DKK
  municipality: "Roskilde"
2017-11-16 * "Grant awarded: Roskilde" #grant-award
  Assets:Pool:Bank:Unallocated                       -9310000.01 DKK
  Assets:Pool:Bank:Granted:Roskilde                   9310000.01 DKK
  Assets:Municipality:Roskilde:Bank:AwaitingTranches -9310000.01 DKK
  Assets:Municipality:Roskilde:Bank:DrawingRights     9310000.01 DKK
""")
    [over] = [f for f in findings(load_doc(text)) if f.rule == "pool-cap"]
    assert "grant to Roskilde: 9500000.01 DKK awarded from the pool in all" in over.message


def test_cap__a_grant_line_cannot_be_overdrawn(load_doc: Loader) -> None:
    text = books("""
2018-04-30 * "Payroll" #salary
  Assets:Municipality:Lejre:Bank:Salary   -90000.01 DKK
  Expenses:Municipality:Lejre:Salary       90000.01 DKK
""")
    rules = sorted(f.rule for f in findings(load_doc(text)))
    assert rules == ["grant-line-overdraw"]


def test_cap__the_whole_grant_cannot_be_overdrawn(load_doc: Loader) -> None:
    text = books("""
2018-04-30 * "Payroll" #salary
  Assets:Municipality:Lejre:Bank:Salary   -140000.01 DKK
  Expenses:Municipality:Lejre:Salary       140000.01 DKK
""")
    rules = sorted(f.rule for f in findings(load_doc(text)))
    assert rules == ["grant-line-overdraw", "grant-overdraw"]


def test_cap__category_and_single_purchase_caps(load_doc: Loader, tmp_path: Path) -> None:
    rules = custom_rules(tmp_path, extra="""
  - id: dental-cap
    kind: cap
    level: category
    category: health_dental
    amount: 20000.00 DKK
    severity: error
    source: "test"
  - id: one-purchase
    kind: cap
    level: purchase
    amount: 12000.00 DKK
    severity: warning
    source: "test"
""")
    text = books(purchase("2018-06-01", "12000.00"), purchase("2018-07-01", "8000.00"),
                 purchase("2018-08-01", "12000.01"), rules=rules)
    found = sorted((f.rule, f.entry.date.isoformat()) for f in findings(load_doc(text)))
    assert found == [("dental-cap", "2018-08-01"), ("one-purchase", "2018-08-01")]


def test_cap__a_return_of_more_than_is_left_is_refused(load_doc: Loader) -> None:
    text = books(purchase("2018-06-01", "1000.00"), """
2019-03-20 * "Unspent budget returned: P-LEJ-001" #return
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available   -50000.00 DKK
  Assets:Municipality:Lejre:Bank:DrawingRights                  50000.00 DKK
""", as_of="2019-06-30")
    [over] = [f for f in findings(load_doc(text)) if f.rule == "citizen-cap"]
    assert "this return overdraws the budget by 1000.00 DKK" in over.message
