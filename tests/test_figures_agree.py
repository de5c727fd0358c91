"""The figure walk: every figure of every level in ``grantpool report`` (and the pool
page's own), reconcile's totals and the grant accounts' lines link to Fava pages whose
postings sum to exactly that figure, read with Fava's own filters over the books the
real Beancount loader read."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grantpool.audit.grant_accounts import grant_accounts
from grantpool.audit.reconcile import Node, reconcile
from grantpool.books.opening import declared_rules
from grantpool.cli import main
from grantpool.figures.categories import file_periods
from grantpool.figures.links import links
from grantpool.figures.report import rows
from grantpool.rules import engine
from grantpool.rules.spec import RuleSet
from tests.conftest import EXAMPLE
from tests.reporting import fava_ledger, linked_sum, walk_rows

LATE = datetime.date(2026, 1, 1)


@pytest.fixture(scope="module")
def example() -> tuple[Any, RuleSet]:
    return books_and_rules(EXAMPLE / "main.beancount")


def books_and_rules(path: Path) -> tuple[Any, RuleSet]:
    ledger = fava_ledger(path)
    rules_path = declared_rules(ledger.options)
    assert rules_path is not None
    ruleset, errors = engine.load(Path(rules_path))
    assert not errors and ruleset is not None
    return ledger, ruleset


def walk_report(ledger: Any, rules: RuleSet, as_of: datetime.date,
                levels: tuple[str, ...] = ("pool", "municipality", "citizen")) -> list[str]:
    entries = list(ledger.all_entries)
    found = [r for level in levels for r in rows(entries, rules.pool, as_of, level)]
    return walk_rows(ledger, found, rules.pool, as_of)


@pytest.mark.parametrize("day", ["2018-06-30", "2019-12-31", "2026-01-01"])
def test_figures__every_pool_and_municipality_figure_sums_its_linked_postings(
    example: tuple[Any, RuleSet], day: str
) -> None:
    ledger, rules = example
    assert walk_report(ledger, rules, datetime.date.fromisoformat(day),
                       ("pool", "municipality")) == []


@pytest.mark.parametrize("day", ["2018-06-30", "2026-01-01"])
def test_figures__every_citizen_figure_sums_its_linked_postings(
    example: tuple[Any, RuleSet], day: str
) -> None:
    ledger, rules = example
    assert walk_report(ledger, rules, datetime.date.fromisoformat(day), ("citizen",)) == []


def test_figures__aarhus_spent_links_to_purchases_and_salary(
    example: tuple[Any, RuleSet],
) -> None:
    ledger, rules = example
    day = datetime.date(2019, 12, 31)
    [aarhus] = [r for r in rows(list(ledger.all_entries), rules.pool, day, "municipality")
                if r.municipality == "Aarhus"]
    assert aarhus.spent == linked_sum(ledger, links(aarhus, rules.pool, day)["spent"])
    assert aarhus.spent > 1_000_000  # purchases and salary, not purchases alone


def test_figures__lejre_430_is_kept_and_never_returned(example: tuple[Any, RuleSet]) -> None:
    ledger, rules = example
    entries = list(ledger.all_entries)
    [lejre] = [r for r in rows(entries, rules.pool, LATE, "municipality")
               if r.municipality == "Lejre"]
    assert (lejre.kept, lejre.returned) == (Decimal("430.00"), Decimal(0))
    assert lejre.granted == lejre.spent + lejre.committed + lejre.returned + lejre.kept + (
        lejre.remaining)
    [pool] = rows(entries, rules.pool, LATE, "pool")
    assert (pool.returned, pool.kept) == (Decimal("1785409.00"), Decimal("430.00"))
    assert lejre.to_json()["kept"] == "430.00"


def reconcile_totals(ledger: Any, rules: RuleSet, tree: Node, as_of: datetime.date
                     ) -> list[str]:
    """Each level's check: what it expects is the linked figure, and what it finds ties."""
    entries = list(ledger.all_entries)
    by_name = {(r.level, r.municipality if r.level == "municipality" else r.citizen): r
               for level in ("municipality", "citizen")
               for r in rows(entries, rules.pool, as_of, level)}
    [pool] = rows(entries, rules.pool, as_of, "pool")
    wrong = []
    pairs = [(tree.checks[0], links(pool, rules.pool, as_of)["appropriation"])]
    for muni in tree.children:
        pairs.append((muni.checks[0], links(by_name[("municipality", muni.name)], rules.pool,
                                            as_of)["granted"]))
        pairs += [(c.checks[0], links(by_name[("citizen", c.name)], rules.pool,
                                      as_of)["granted"]) for c in muni.children]
    for check, link in pairs:
        if not check.expected == check.found == linked_sum(ledger, link, rules.pool.currency):
            wrong.append(f"{check.name}: {check.expected} / {check.found} ({link})")
    return wrong


def test_figures__reconcile_totals_are_the_linked_figures(example: tuple[Any, RuleSet]) -> None:
    ledger, rules = example
    tree = reconcile(list(ledger.all_entries), rules, LATE)
    assert tree.ok and reconcile_totals(ledger, rules, tree, LATE) == []


def walk_accounts(ledger: Any, rules: RuleSet, municipality: str) -> list[str]:
    """Every line of every file (each year, the period) against its linked postings; the
    suppressed lines' sum against the total less what is shown."""
    wrong = []
    for period in file_periods(rules.pool).periods:
        accounts = grant_accounts(list(ledger.all_entries), rules.pool, municipality, period)
        for line in accounts.lines:
            if line.link is not None:
                total = linked_sum(ledger, line.link, rules.pool.currency)
                if total != line.amount:
                    wrong.append(f"{municipality} {period.start} {line.key} {line.amount} "
                                 f"!= {total}")
        shown = sum((x.amount or Decimal(0) for x in accounts.lines
                     if x.key.startswith("category:")), Decimal(0))
        together = accounts.amount("categories_suppressed") if any(
            x.key == "categories_suppressed" for x in accounts.lines) else Decimal(0)
        if shown + together != accounts.amount("purchases"):
            wrong.append(f"{municipality} {period.start} categories do not add up")
    return wrong


@pytest.mark.parametrize("municipality", ["Aarhus", "Halsnæs", "Kolding", "Lejre"])
def test_figures__every_grant_accounts_line_sums_its_linked_postings(
    example: tuple[Any, RuleSet], municipality: str
) -> None:
    ledger, rules = example
    assert walk_accounts(ledger, rules, municipality) == []


@pytest.mark.parametrize("pool", ["dk2022", "uk2009"])
def test_figures__the_other_pools_books_agree_too(pool: str) -> None:
    ledger, rules = books_and_rules(EXAMPLE / "examples" / pool / "main.beancount")
    assert walk_report(ledger, rules, LATE) == []


def test_report__pool_level_on_a_municipalitys_own_books_is_refused() -> None:
    own = EXAMPLE / "municipalities" / "aarhus" / "main.beancount"
    result = CliRunner().invoke(main, ["report", str(own), "--level", "pool", "--as-of",
                                       "2019-01-01"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"grantpool: {own}: these books hold no pool")
    assert "--level" in result.stderr and len(result.stderr.splitlines()) == 1
    # the municipality level of the same books, and the pool level of the folder, are given
    assert CliRunner().invoke(main, ["report", str(own), "--level", "municipality", "--as-of",
                                     "2019-01-01"]).exit_code == 0
    whole = CliRunner().invoke(main, ["report", str(EXAMPLE), "--level", "pool", "--as-of",
                                      "2019-01-01", "--format", "json"])
    assert whole.exit_code == 0 and json.loads(whole.stdout)[0]["granted"] == "9500000.00"
