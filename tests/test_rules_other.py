"""Categories, approvals and privacy."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grantpool.books.loading import load
from grantpool.rules.engine import load as load_rules
from grantpool.rules.engine import run
from grantpool.rules.kinds.privacy import looks_like_cpr
from tests.conftest import RULES
from tests.rulebooks import books, purchase
from tests.ruletools import custom_rules, findings

Loader = Callable[[str], Any]


def rules_of(loaded: Any) -> list[str]:
    return sorted(f.rule for f in findings(loaded))


def test_category__denied_category_is_refused(load_doc: Loader) -> None:
    [found] = findings(load_doc(books(purchase("2018-06-01", "150.00", account="Alcohol"))))
    assert found.rule == "categories" and "category 'alcohol' is denied" in found.message


def test_category__outside_the_catalogue_is_refused(load_doc: Loader) -> None:
    [found] = findings(load_doc(books(purchase("2018-06-01", "150.00", account="TravelAbroad"))))
    assert "category 'travel_abroad' is not allowed" in found.message


def test_approval__above_20000_needs_an_approval(load_doc: Loader) -> None:
    assert rules_of(load_doc(books(purchase("2018-06-01", "20000.00")))) == []
    [found] = findings(load_doc(books(purchase("2018-06-01", "20000.01"))))
    assert found.rule == "large-purchase-approval"
    assert "needs 'approval' metadata" in found.message
    approved = purchase("2018-06-01", "20000.01", meta='\n  approval: "LEJ-2018-7"')
    assert rules_of(load_doc(books(approved))) == []


def test_approval__must_come_before_the_purchase(load_doc: Loader) -> None:
    late = purchase("2018-06-01", "25000.00", meta="\n  approval: 2018-06-02")
    [found] = findings(load_doc(books(late)))
    assert "approved on 2018-06-02, after the entry" in found.message
    prior = purchase("2018-06-01", "25000.00", meta="\n  approval: 2018-06-01")
    assert rules_of(load_doc(books(prior))) == []


CHANGE = """
2018-09-01 * "Budget change: salary to drawing rights" #budget-change{meta}
  Assets:Municipality:Lejre:Bank:Salary          -{amount} DKK
  Assets:Municipality:Lejre:Bank:DrawingRights    {amount} DKK
"""


def test_approval__budget_change_over_10_percent(load_doc: Loader) -> None:
    # 10 % of the 190,000 grant is 19,000.
    assert rules_of(load_doc(books(CHANGE.format(meta="", amount="19000.00")))) == []
    [found] = findings(load_doc(books(CHANGE.format(meta="", amount="19000.01"))))
    assert found.rule == "budget-change-approval" and "(10.0 %)" in found.message
    approved = CHANGE.format(meta='\n  approval: "SM-2018-41"', amount="19000.01")
    assert rules_of(load_doc(books(approved))) == []


def test_approval__a_second_budget_for_a_citizen_is_a_change(load_doc: Loader) -> None:
    top_up = """
2018-09-01 * "Budget raised: P-LEJ-001" #budget
  Assets:Municipality:Lejre:Bank:DrawingRights                  -5000.01 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available     5000.01 DKK
"""
    assert "budget-change-approval" in rules_of(load_doc(books(top_up)))


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("narration", purchase("2018-06-01", "100.00", narration="Glasses for 010190-1234")),
        ("metadata 'note'", purchase("2018-06-01", "100.00", meta='\n  note: "0101901234"')),
        ("payee", '\n2018-06-01 * "Optik 290200-4321" "Glasses" #purchase\n'
                  "  Expenses:Municipality:Lejre:Purchases:HealthDental   100.00 DKK\n"
                  "  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available\n"),
        ("description", '\n2018-06-01 event "moved_out" "1112131234"\n'),
    ],
)
def test_privacy__cpr_number_is_found_at_its_line(
    write_doc: Callable[[str], Path], where: str, text: str
) -> None:
    path = write_doc(books(text))
    found = [f for f in findings(load(path)) if f.rule == "cpr"]
    assert len(found) == 1, where
    assert found[0].source == {"filename": str(path), "lineno": _digits_line(path)}
    assert "looks like a CPR number" in found[0].message
    assert not any(ch.isdigit() for ch in found[0].message)  # the number is not repeated


def _digits_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, line in enumerate(lines) if looks_like_cpr(line))


def test_privacy__cpr_in_a_comment_or_the_rules_file_is_found(
    write_doc: Callable[[str], Path], tmp_path: Path
) -> None:
    rules = custom_rules(tmp_path, extra="# case of 2911851234\n")
    path = write_doc(books("\n; note: 101085 1234, also written 1010851234\n", rules=rules))
    found = sorted((Path(f.source["filename"]).name, f.rule) for f in findings(load(path)))
    assert found == [("custom.yaml", "cpr"), ("main.beancount", "cpr")]


def test_privacy__an_amount_is_not_a_cpr_number(load_doc: Loader) -> None:
    text = books(purchase("2018-06-01", "0101901234.00", meta='\n  approval: "A-1"'))
    assert "cpr" not in rules_of(load_doc(text))


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("narration", purchase("2018-06-01", "100.00", narration="Glasses for 010190-1234")),
        ("metadata 'note'", purchase("2018-06-01", "100.00", meta='\n  note: "0101901234"')),
        ("posting metadata 'ref'", purchase("2018-06-01", "100.00").replace(
            "DKK\n  Assets", 'DKK\n    ref: "0101901234"\n  Assets', 1)),
    ],
)
def test_privacy__without_files_every_text_of_every_directive_is_searched(
    load_doc: Loader, where: str, text: str
) -> None:
    entries, _, _ = load_doc(books(text))
    ruleset, _ = load_rules(RULES / "dk2017.yaml")
    assert ruleset is not None
    found = [f for f in run(entries, ruleset, datetime.date(2018, 12, 31)) if f.rule == "cpr"]
    assert len(found) == 1 and f"the {where} holds what looks like a CPR number" in (
        found[0].message)


def test_privacy__cpr_in_an_account_name_is_found(load_doc: Loader) -> None:
    text = books('\n2018-01-01 open Assets:Municipality:Lejre:Bank:Citizen:C0101901234 DKK\n')
    assert [f.rule for f in findings(load_doc(text))] == ["cpr"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("010190-1234", True), ("0101901234", True), ("290200-1234", True),
        ("290201-1234", False),  # 29 February 1901 and 2001 do not exist
        ("320190-1234", False), ("011390-1234", False), ("12345678901", False),
        ("P-LEJ-001", False), ("2018-06-01", False), ("ref 1234567890", False),
    ],
)
def test_privacy__cpr_pattern_needs_a_real_date(text: str, expected: bool) -> None:
    assert looks_like_cpr(text) is expected
