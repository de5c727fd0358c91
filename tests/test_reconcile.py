"""``grantpool reconcile``: every level ties on the example books; each kind of
break is found, with the directives behind it; exit codes 0, 1, 2."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from grantpool.cli import main
from tests.conftest import EXAMPLE
from tests.rulebooks import books


def run(ledger: Path, *args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, ["reconcile", str(ledger), "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout) if result.stdout else result.stderr


def failing(node: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(level, name, check) of every check that does not tie, anywhere in the tree."""
    out = [(node["level"], node["name"], c) for c in node["checks"] if not c["ok"]]
    for child in node["children"]:
        out += failing(child)
    return out


def test_reconcile__example_books_tie_at_every_level() -> None:
    code, doc = run(EXAMPLE / "main.beancount", "--as-of", "2026-01-01")
    assert code == 0 and doc["ok"] is True
    *municipalities, transfers = doc["tree"]["children"]
    assert [m["level"] for m in municipalities] == ["municipality"] * 4
    assert sum(len(m["children"]) for m in municipalities) == 101
    assert transfers["level"] == "transfers" and transfers["ok"] is True


def test_reconcile__a_missing_return_is_found(example_copy: Path) -> None:
    halsnaes = example_copy.parent / "municipalities" / "halsnaes" / "books.beancount"
    text = halsnaes.read_text(encoding="utf-8")
    block = re.search(r"\n\n(\d{4}-\d\d-\d\d) \* \"Unspent budget returned \(moved out\): "
                      r"P-HAL-003\" #return\n(  .*\n)+", text)
    assert block
    halsnaes.write_text(text.replace(block[0], "\n", 1), encoding="utf-8")
    code, doc = run(example_copy, "--as-of", "2026-01-01")
    assert code == 1
    [(level, name, check)] = failing(doc["tree"])
    assert (level, name) == ("citizen", "P-HAL-003")
    assert check["check"].startswith("nothing left 30 days after the budget ended (2018-05-30)")


def test_reconcile__a_tranche_received_twice_is_found(example_copy: Path) -> None:
    lejre = example_copy.parent / "municipalities" / "lejre" / "books.beancount"
    text = lejre.read_text(encoding="utf-8")
    tranche = re.search(r"\n\n2018-03-01 \* \"Tranche 2 of 4 received from the pool\" #tranche "
                        r"\^tranche-lejre-2018-03-01\n(  .*\n)+", text)
    assert tranche
    lejre.write_text(text + tranche[0], encoding="utf-8")
    code, doc = run(example_copy, "--as-of", "2026-01-01")
    assert code == 1
    checks = {(name, c["check"]): c for _, name, c in failing(doc["tree"])}
    twice = checks[("Lejre", "tranches received <= awarded")]
    assert twice["difference"] == "-593750.00" and len(twice["directives"]) == 5
    pair = checks[("pool <-> municipalities", "^tranche-lejre-2018-03-01: each half booked once")]
    assert len(pair["directives"]) == 3


def test_reconcile__untagged_and_misbooked_money_is_listed(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text(books("""
2017-11-15 open Expenses:Municipality:Roskilde:Purchases:Clothing DKK
  municipality: "Roskilde"
  category: "clothing"
2018-05-01 * "Moved without a tag"
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available   -500.00 DKK
  Assets:Municipality:Lejre:Bank:Salary                          500.00 DKK
2018-05-02 * "Purchase: clothing" #purchase
  Expenses:Municipality:Roskilde:Purchases:Clothing   700.00 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available   -700.00 DKK
"""), encoding="utf-8")
    code, doc = run(ledger, "--as-of", "2018-12-31")
    assert code == 1
    found = {c["check"]: c for _, name, c in failing(doc["tree"]) if name == "P-LEJ-001"}
    identity = found["granted = paid + committed + remaining + returned"]
    assert identity["difference"] == "500.00"
    assert [d["narration"] for d in identity["directives"]] == ["Moved without a tag"]
    misbooked = found["purchases booked to the citizen's own municipality"]
    assert misbooked["directives"][0]["lineno"] > 0


def test_reconcile__a_month_without_a_statement_is_stale(example_copy: Path) -> None:
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    text = kolding.read_text(encoding="utf-8")
    line = re.search(r"\n\n2018-06-01 balance Assets:Municipality:Kolding:Bank .*\n", text)
    assert line
    kolding.write_text(text.replace(line[0], "\n", 1), encoding="utf-8")
    code, doc = run(example_copy, "--as-of", "2026-01-01")
    assert code == 1
    [(level, name, check)] = failing(doc["tree"])
    assert (level, name) == ("municipality", "Kolding")
    assert "Assets:Municipality:Kolding:Bank: moved on 2018-05" in check["note"]
    assert (check["expected"], check["found"], check["difference"]) == ("0", "1", "-1")


def test_reconcile__text_shows_the_tree_and_the_verdict() -> None:
    result = CliRunner().invoke(main, ["reconcile", str(EXAMPLE / "main.beancount")])
    assert result.exit_code == 0
    assert "  municipality Halsnæs: ok" in result.stdout
    assert result.stdout.strip().endswith(f"({EXAMPLE / 'main.beancount'} as of "
                                          f"{datetime.date.today()})")


def test_reconcile__books_without_rules_exit_2(tmp_path: Path) -> None:
    ledger = tmp_path / "main.beancount"
    ledger.write_text('option "title" "Bare"\n', encoding="utf-8")
    code, err = run(ledger)
    assert code == 2 and "declare no rules file" in err
