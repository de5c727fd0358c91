"""The generator: reproducible, the example books are its output, the real cases are in."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from click.testing import CliRunner

from grantpool.books.loading import load
from grantpool.cli import main
from grantpool.figures.levels import figures
from grantpool.generate.options import GenOptions
from grantpool.generate.run import generate
from grantpool.rules.engine import load as load_rules
from grantpool.rules.pooldef import load_pool
from tests.conftest import EXAMPLE, RULES

END = datetime.date(2030, 1, 1)


def _tree(folder: Path) -> dict[str, bytes]:
    """Every books file below *folder*, the examples of other pools left out."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "examples" not in p.relative_to(folder).parts
    }


EXAMPLES = {
    "dk2022": ["--municipalities", "2", "--citizens", "12", "--purchases", "6"],
    "uk2009": ["--municipalities", "1", "--citizens", "16", "--purchases", "4"],
}


@pytest.mark.parametrize("pool", sorted(EXAMPLES))
def test_generate__other_pools_examples_are_reproducible_and_clean(
    tmp_path: Path, pool: str
) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    out = tmp_path / "ledger" / "examples" / pool
    args = ["generate", "--rules", str(tmp_path / f"rules/{pool}.yaml"), "--out", str(out)]
    result = CliRunner().invoke(main, args + EXAMPLES[pool])
    assert result.exit_code == 0, result.output
    assert _tree(out) == _tree(EXAMPLE / "examples" / pool)
    checked = CliRunner().invoke(main, ["check", str(out / "main.beancount")])
    assert checked.exit_code == 0, checked.output
    assert checked.output.strip().endswith("0 error(s), 0 warning(s)")


def test_generate__example_books_are_the_generators_output_byte_for_byte(tmp_path: Path) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    result = CliRunner().invoke(main, ["generate", "--rules", str(tmp_path / "rules/dk2017.yaml"),
                                       "--out", str(tmp_path / "ledger")])
    assert result.exit_code == 0, result.output
    assert _tree(tmp_path / "ledger") == _tree(EXAMPLE)


def test_generate__same_seed_same_books_other_seed_other_books(tmp_path: Path) -> None:
    rules, _ = load_rules(RULES / "dk2017.yaml")
    assert rules is not None
    opts = GenOptions(seed=7, municipalities=3, citizens=20, purchases=4)
    generate(rules, opts, tmp_path / "a")
    generate(rules, opts, tmp_path / "b")
    generate(rules, GenOptions(seed=8, municipalities=3, citizens=20, purchases=4), tmp_path / "c")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")


def test_generate__larger_books_load_clean_and_scale_the_pool(tmp_path: Path) -> None:
    rules, _ = load_rules(RULES / "dk2017.yaml")
    assert rules is not None
    opts = GenOptions(seed=1, municipalities=12, citizens=240, purchases=5, years=3)
    _, notes = generate(rules, opts, tmp_path)
    assert any("scaled" in n for n in notes) and any("3 years" in n for n in notes)
    entries, errors, _ = load(tmp_path / "main.beancount")
    assert errors == []
    levels = figures(entries, END)
    assert len(levels.grants) == 12
    assert sum(len(g.citizens) for g in levels.grants.values()) == 240
    assert levels.difference == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipalities", "0"], "--municipalities must be 1..98"),
        (["--municipalities", "99"], "--municipalities must be 1..98"),
        (["--municipalities", "5", "--citizens", "4"], "at least --municipalities"),
    ],
)
def test_generate__impossible_options_exit_2_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--out", str(out),
                                       "--rules", str(RULES / "dk2017.yaml"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def _citizen_opens(entries: list[Any]) -> list[data.Open]:
    return [e for e in entries if isinstance(e, data.Open) and "citizen" in e.meta]


def test_example__trial_shape_four_municipalities_101_citizens(example_loaded: Any) -> None:
    entries, errors, _ = example_loaded
    assert errors == []
    levels = figures(entries, END)
    assert sorted(levels.grants) == ["Aarhus", "Halsnæs", "Kolding", "Lejre"]
    assert sum(len(g.citizens) for g in levels.grants.values()) == 101
    assert levels.appropriation == Decimal("10000000.00")
    assert levels.kept_share == Decimal("500000.00")
    assert levels.grants["Aarhus"].awarded == 25 * Decimal("95000")


def test_example__every_citizen_account_carries_citizen_and_municipality(
    example_loaded: Any,
) -> None:
    entries = example_loaded[0]
    citizen_accounts = [e for e in entries if isinstance(e, data.Open) and ":Citizen:" in e.account]
    assert len(citizen_accounts) == 2 * 101
    for entry in citizen_accounts:
        pid = entry.meta["citizen"]
        assert pid in entry.account and pid.startswith("P-")
        assert entry.meta["municipality"] in entry.account


def test_example__real_cases_are_in_the_books(example_loaded: Any) -> None:
    entries = example_loaded[0]
    levels = figures(entries, END)
    citizens = [c for g in levels.grants.values() for c in g.citizens.values()]
    assert any(c.paid == Decimal("50000.00") and c.returned == 0 for c in citizens)
    events = {(e.type, e.description[:5]) for e in entries if isinstance(e, data.Event)}
    assert ("moved_out", "P-HAL") in events
    excluded = [c for c in citizens if any(kind == "excluded" for _, kind in c.events)]
    assert len(excluded) == 2 and all(c.returned > 0 and c.remaining == 0 for c in excluded)
    lejre = levels.grants["Lejre"]
    assert lejre.retained == Decimal("430.00") and lejre.claimed == 0
    assert all(g.repaid == g.claimed > 500 for n, g in levels.grants.items() if n != "Lejre")
    assert levels.returned == sum(g.repaid for g in levels.grants.values())
    assert any(c.committed == 0 and "housing_deposit" in c.by_category for c in citizens)


def test_example__purchases_fall_inside_each_budget_window_and_project(
    example_loaded: Any,
) -> None:
    entries = example_loaded[0]
    pool, _ = load_pool(RULES / "dk2017.yaml")
    assert pool is not None
    for entry in entries:
        if isinstance(entry, data.Transaction) and "purchase" in entry.tags:
            assert entry.date in pool.project_period, entry.meta


def test_example__bank_statements_never_negative(example_loaded: Any) -> None:
    balances = [e for e in example_loaded[0] if isinstance(e, data.Balance)]
    assert len(balances) > 4 * 24
    assert all(b.amount.number >= 0 for b in balances)
