"""Windows, deadlines, returns and lapses: every end is inclusive."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.conftest import RULES
from tests.rulebooks import AVAILABLE_2, books, purchase, second_budget
from tests.ruletools import custom_rules, findings

Loader = Callable[[str], Any]

RETURN_ALL = """
{day} * "Unspent budget returned: P-LEJ-001" #return
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available   -{amount} DKK
  Assets:Municipality:Lejre:Bank:DrawingRights                  {amount} DKK
"""


def rules_of(loaded: Any, *names: str) -> list[tuple[str, str]]:
    return sorted((f.rule, f.entry.date.isoformat()) for f in findings(loaded)
                  if not names or f.rule in names)


def test_window__last_day_passes_next_day_fails(load_doc: Loader) -> None:
    # Decision 2018-03-15: the 12-month window is 2018-03-15 .. 2019-03-14.
    text = books(purchase("2018-03-15", "100.00"), purchase("2019-03-14", "100.00"),
                 purchase("2019-03-15", "100.00"), as_of="2019-03-31")
    assert rules_of(load_doc(text), "budget-window") == [("budget-window", "2019-03-15")]


def test_window__message_says_how_far_outside_and_what_to_do(load_doc: Loader) -> None:
    text = books(purchase("2019-03-15", "100.00"), as_of="2019-03-31")
    [found] = [f for f in findings(load_doc(text)) if f.rule == "budget-window"]
    assert "1 day(s) after the window 2018-03-15 .. 2019-03-14 (inclusive)" in found.message


def test_window__clipped_at_the_end_of_the_project(load_doc: Loader) -> None:
    text = books(second_budget("2019-06-01", "10000.00"),
                 purchase("2019-12-31", "100.00", source=AVAILABLE_2),
                 purchase("2020-01-01", "100.00", source=AVAILABLE_2), as_of="2020-01-05")
    assert rules_of(load_doc(text), "budget-window", "project-period") == [
        ("budget-window", "2020-01-01"), ("project-period", "2020-01-01")]


def test_window__leap_day_decision_ends_on_28_february(load_doc: Loader, tmp_path: Path) -> None:
    rules = custom_rules(tmp_path, replace=("{start: 2017-12-01, end: 2019-12-31}",
                                            "{start: 2017-12-01, end: 2021-12-31}"))
    text = books(second_budget("2020-02-29", "10000.00"),
                 purchase("2021-02-28", "100.00", source=AVAILABLE_2),
                 purchase("2021-03-01", "100.00", source=AVAILABLE_2),
                 purchase("2018-04-01", "100.00"),
                 RETURN_ALL.format(day="2019-03-20", amount="49900.00"),
                 as_of="2021-03-05", rules=rules)
    assert rules_of(load_doc(text), "budget-window") == [("budget-window", "2021-03-01")]


def test_window__salary_outside_the_project_period(load_doc: Loader) -> None:
    text = books("""
2017-11-30 * "Payroll before the start" #salary
  Assets:Municipality:Lejre:Bank:Salary   -100.00 DKK
  Expenses:Municipality:Lejre:Salary       100.00 DKK
""")
    assert rules_of(load_doc(text), "project-period") == [("project-period", "2017-11-30")]


ACCOUNTS = '\n{day} event "accounts_submitted" "Lejre"\n'
CLOSED = RETURN_ALL.format(day="2019-03-20", amount="50000.00") + """
2020-03-31 * "Repayment claim" #repayment-claim
  Assets:Municipality:Lejre:Bank:DrawingRights  -100000.00 DKK
  Assets:Municipality:Lejre:Bank:Salary          -90000.00 DKK
  Assets:Municipality:Lejre:Bank:Repayment       190000.00 DKK
"""


def test_deadline__accounts_on_the_due_date_pass(load_doc: Loader) -> None:
    text = books(CLOSED, ACCOUNTS.format(day="2020-03-31"), as_of="2020-06-30")
    assert rules_of(load_doc(text)) == []


def test_deadline__accounts_a_day_late(load_doc: Loader) -> None:
    text = books(CLOSED, ACCOUNTS.format(day="2020-04-01"), as_of="2020-06-30")
    [late] = [f for f in findings(load_doc(text)) if f.rule == "accounts-due"]
    assert late.severity == "error" and late.entry.type == "accounts_submitted"
    assert "on 2020-04-01, 1 day(s) after the due date 2020-03-31" in late.message


def test_deadline__warning_while_due_then_error_when_overdue(load_doc: Loader) -> None:
    returned = RETURN_ALL.format(day="2019-03-20", amount="50000.00")
    due_soon = findings(load_doc(books(returned, as_of="2020-03-15")))
    assert [(f.rule, f.severity) for f in due_soon] == [("accounts-due", "warning")]
    overdue = findings(load_doc(books(returned, as_of="2020-04-01")))
    assert [(f.rule, f.severity) for f in overdue] == [("accounts-due", "error")]
    assert "1 day(s) overdue" in overdue[0].message


def test_deadline__grant_not_started_within_six_months(load_doc: Loader) -> None:
    text = books(as_of="2018-06-01").replace("2018-03-15 * \"Budget granted", "2018-06-01 * \"B")
    text = text.replace("2018-03-15 open", "2018-06-01 open")
    found = [(f.rule, f.severity) for f in findings(load_doc(text))]
    assert found == [("grant-started", "warning")]


def test_return__on_the_30th_day_passes_the_31st_fails(load_doc: Loader) -> None:
    # The window ends 2019-03-14; the return is due by 2019-04-13.
    on_time = books(RETURN_ALL.format(day="2019-04-13", amount="50000.00"), as_of="2019-06-30")
    assert rules_of(load_doc(on_time)) == []
    late = books(RETURN_ALL.format(day="2019-04-14", amount="50000.00"), as_of="2019-06-30")
    assert rules_of(load_doc(late)) == [("return-to-grant", "2019-04-14")]


def test_return__missing_return_is_found_once_overdue(load_doc: Loader) -> None:
    assert rules_of(load_doc(books(as_of="2019-04-13"))) == []
    [missing] = findings(load_doc(books(as_of="2019-04-14")))
    assert missing.rule == "return-to-grant"
    assert "50000.00 DKK unspent not returned by 2019-04-13 (window ended 2019-03-14)" in (
        missing.message)


def test_return__moved_out_budget_returns_within_30_days(load_doc: Loader) -> None:
    moved = '\n2018-06-01 event "moved_out" "P-LEJ-001"\n'
    [missing] = findings(load_doc(books(moved, as_of="2018-07-02")))
    assert "(moved out 2018-06-01)" in missing.message
    returned = books(moved, RETURN_ALL.format(day="2018-07-01", amount="50000.00"),
                     as_of="2018-07-02")
    assert rules_of(load_doc(returned)) == []


def _unspent(amount: str) -> str:
    """Books where the grant ends with *amount* unspent on its drawing-rights line."""
    spent = Decimal(100000) - Decimal(amount)
    return RETURN_ALL.format(day="2019-03-20", amount="50000.00") + f"""
2019-12-31 * "Payroll" #salary
  Assets:Municipality:Lejre:Bank:Salary   -90000.00 DKK
  Expenses:Municipality:Lejre:Salary       90000.00 DKK
2019-12-31 * "Drawing rights spent on salary" #salary
  Assets:Municipality:Lejre:Bank:DrawingRights  -{spent} DKK
  Expenses:Municipality:Lejre:Salary             {spent} DKK
""" + ACCOUNTS.format(day="2020-03-21")


def test_return__grant_unspent_under_the_de_minimis_is_not_claimed(load_doc: Loader) -> None:
    assert rules_of(load_doc(books(_unspent("499.99"), as_of="2020-06-30"))) == []
    [claim] = findings(load_doc(books(_unspent("500.00"), as_of="2020-06-30")))
    assert claim.rule == "repayment-claim" and "500.00 DKK unspent" in claim.message


def test_lapse__no_purchase_on_or_after_moving_out(load_doc: Loader) -> None:
    moved = '\n2018-06-01 event "moved_out" "P-LEJ-001"\n'
    text = books(moved, purchase("2018-05-31", "100.00"), purchase("2018-06-01", "100.00"),
                 as_of="2018-06-15")
    assert rules_of(load_doc(text), "lapse") == [("lapse", "2018-06-01")]


BANK = """
2017-08-01 balance Assets:Pool:Bank              10000000.00 DKK
2018-01-01 balance Assets:Municipality:Lejre:Bank   190000.00 DKK
2018-01-01 balance Assets:Pool:Bank               9810000.00 DKK
"""


def test_stale_balance__each_movement_needs_a_statement_within_35_days(
    load_doc: Loader,
) -> None:
    # The tranche of 2017-12-01 moved both banks; statements asserted on 2018-01-01.
    text = books(BANK, as_of="2018-03-31", rules=RULES / "dk2017.yaml")
    assert rules_of(load_doc(text)) == []
    late = books(BANK.replace("2018-01-01", "2018-01-06"), as_of="2018-03-31",  # 36 days
                 rules=RULES / "dk2017.yaml")
    found = findings(load_doc(late))
    assert sorted(f.rule for f in found) == ["bank-reconciled", "bank-reconciled"]
    assert "no balance assertion by 2018-01-05" in found[0].message
    spent = books(BANK, purchase("2018-04-10", "100.00"), as_of="2018-05-31",
                  rules=RULES / "dk2017.yaml")
    [stale] = findings(load_doc(spent))
    assert stale.entry.date.isoformat() == "2018-04-10"
    assert "Assets:Municipality:Lejre:Bank: moved on 2018-04-10" in stale.message


def test_repayment_claim__an_approved_carry_over_keeps_the_unspent_money(
        load_doc: Loader) -> None:
    submitted = '\n2019-12-20 event "accounts_submitted" "Lejre"\n'
    carried = '\n2019-12-22 event "carry_over_approved" "Lejre"\n'
    unclaimed = [f for f in findings(load_doc(books(submitted, as_of="2020-06-30")))
                 if f.rule == "repayment-claim"]
    assert len(unclaimed) == 1 and "not claimed back" in unclaimed[0].message
    assert [f for f in findings(load_doc(books(submitted, carried, as_of="2020-06-30")))
            if f.rule == "repayment-claim"] == []
