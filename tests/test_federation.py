"""Federated books: each entity's books stand alone, the consolidated books still add
up, and every transfer's two halves are paired across the books by ``reconcile``."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grantpool.books import chart as acc
from grantpool.books.opening import open_books
from grantpool.cli import main
from grantpool.federation.discover import find
from grantpool.figures.levels import figures
from tests.conftest import EXAMPLE

FEDERATIONS = [EXAMPLE, EXAMPLE / "examples" / "dk2022", EXAMPLE / "examples" / "uk2009"]
LATE = datetime.date(2030, 1, 1)
# Kolding's transfers, one of each kind: (kind, link).
TRANSFERS = [
    ("award", "award-kolding-2017-11-15"),
    ("tranche", "tranche-kolding-2018-03-01"),
    ("claim", "claim-kolding-2020-04-20"),
    ("repayment", "repayment-kolding-2020-05-20"),
]


def bean_check(main_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "beancount.scripts.check", str(main_file)],
                          capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.parametrize("root", FEDERATIONS, ids=lambda p: p.name)
def test_federation__every_entity_and_the_consolidated_books_pass_bean_check(root: Path) -> None:
    federation = find(root)
    assert federation is not None and federation.pool is not None
    assert federation.municipalities
    mains = [e.main for e in federation.entities] + [root / "main.beancount"]
    for main_file in mains:
        done = bean_check(main_file)
        assert done.returncode == 0, (main_file, done.stderr)


def test_federation__an_entity_holds_only_its_own_accounts() -> None:
    federation = find(EXAMPLE)
    assert federation is not None
    for entity in federation.municipalities:
        books = open_books(entity.main, datetime.date(2026, 1, 1), run_rules=False)
        component = acc.component(entity.name)
        accounts = {e.account for e in books.entries if type(e).__name__ == "Open"}
        foreign = [a for a in accounts if f":{component}:" not in f"{a}:"]
        assert not foreign, (entity.name, foreign)
        assert not any(a.startswith("Assets:Pool") for a in accounts)


def test_federation__check_on_the_folder_checks_each_entity_and_the_pairs() -> None:
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"OK: {EXAMPLE} as of 2026-01-01")


def balances(entries: list[Any], as_of: datetime.date) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for entry in entries:
        if type(entry).__name__ == "Transaction" and entry.date <= as_of:
            for posting in entry.postings:
                out[posting.account] = out.get(posting.account, Decimal(0)) + \
                    posting.units.number
    return out


def test_federation__consolidated_books_tie_at_every_level_and_the_pairs_cancel() -> None:
    day = datetime.date(2026, 1, 1)
    books = open_books(EXAMPLE / "main.beancount", day, run_rules=False)
    levels = figures(books.entries, day)
    assert levels.difference == 0 and levels.appropriation == Decimal("10000000.00")
    assert len(levels.grants) == 4
    for grant in levels.grants.values():
        assert grant.difference == 0, grant.municipality
        assert levels.awarded_to[grant.municipality] == grant.awarded
        assert levels.paid_to[grant.municipality] == grant.received
        assert all(c.difference == 0 for c in grant.citizens.values())
    sums = balances(books.entries, day)
    for name in ("Aarhus", "Halsnæs", "Kolding", "Lejre"):
        transfers = sums.get(f"Equity:Transfers:{name}:Pool", Decimal(0)) + sums.get(
            f"Equity:Transfers:{name}:Municipality", Decimal(0))
        assert transfers == 0, name
        granted = sums[f"Assets:Pool:Bank:Granted:{name}"] + sums[
            f"Assets:Municipality:{name}:Bank:AwaitingTranches"]
        assert granted == 0, name


def test_federation__an_unpaired_half_leaves_a_balance_that_does_not_cancel(
        example_copy: Path) -> None:
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    kolding.write_text(without(kolding.read_text(encoding="utf-8"),
                               "tranche-kolding-2018-03-01"), encoding="utf-8")
    day = datetime.date(2026, 1, 1)
    books = open_books(example_copy, day, run_rules=False)
    sums = balances(books.entries, day)
    assert sums["Equity:Transfers:Kolding:Pool"] + sums[
        "Equity:Transfers:Kolding:Municipality"] == Decimal("593750.00")


def block(text: str, link: str) -> re.Match[str]:
    found = re.search(r"\n\n\d{4}-\d\d-\d\d \* [^\n]*\^" + re.escape(link) + r"\n(  .*\n)+", text)
    assert found, link
    return found


def without(text: str, link: str) -> str:
    return text.replace(block(text, link)[0], "\n", 1)


def line_of(path: Path, link: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if f"^{link}" in line)


def reconcile(ledger: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["reconcile", str(ledger), "--as-of", "2026-01-01",
                                       "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def transfer_checks(doc: dict[str, Any], link: str) -> list[dict[str, Any]]:
    [transfers] = [n for n in doc["tree"]["children"] if n["level"] == "transfers"]
    return [c for c in transfers["checks"] if c["check"].startswith(f"^{link}:")]


def sides(ledger: Path) -> dict[str, Path]:
    return {"pool": ledger.parent / "pool" / "books.beancount",
            "municipality": ledger.parent / "municipalities" / "kolding" / "books.beancount"}


@pytest.mark.parametrize(("kind", "link"), TRANSFERS)
@pytest.mark.parametrize("removed", ["pool", "municipality"])
def test_reconcile__a_missing_half_is_found_naming_the_other(
        example_copy: Path, kind: str, link: str, removed: str) -> None:
    files = sides(example_copy)
    kept = "municipality" if removed == "pool" else "pool"
    kept_line = line_of(files[kept], link)
    files[removed].write_text(without(files[removed].read_text(encoding="utf-8"), link),
                              encoding="utf-8")
    code, doc = reconcile(example_copy)
    assert code == 1
    [check] = transfer_checks(doc, link)
    assert check["check"] == f"^{link}: both halves booked"
    assert [(d["filename"], d["lineno"]) for d in check["directives"]] == [
        (str(files[kept]), kept_line)]
    assert f"{files[kept]}:{kept_line}" in check["note"] and str(files[removed]) in check["note"]


def changed_amount(text: str, link: str) -> str:
    found = block(text, link)[0]
    amounts = set(re.findall(r"-?(\d+\.\d\d) DKK", found))
    assert len(amounts) == 1, amounts  # a pool half posts one amount, in and out
    [amount] = amounts
    return text.replace(found, found.replace(amount, str(Decimal(amount) - 100)), 1)


@pytest.mark.parametrize(("kind", "link"), TRANSFERS)
def test_reconcile__a_half_of_another_amount_is_found_naming_both(
        example_copy: Path, kind: str, link: str) -> None:
    files = sides(example_copy)
    files["pool"].write_text(changed_amount(files["pool"].read_text(encoding="utf-8"), link),
                             encoding="utf-8")
    code, doc = reconcile(example_copy)
    assert code == 1
    [check] = transfer_checks(doc, link)
    assert check["check"] == f"^{link}: halves of the same amount"
    assert Decimal(check["difference"]) == Decimal(-100)
    named = [(d["filename"], d["lineno"]) for d in check["directives"]]
    assert named == [(str(files[s]), line_of(files[s], link)) for s in ("pool", "municipality")]


@pytest.mark.parametrize(("kind", "link"), TRANSFERS)
def test_reconcile__a_late_half_is_found_naming_both(
        example_copy: Path, kind: str, link: str) -> None:
    files = sides(example_copy)
    text = files["municipality"].read_text(encoding="utf-8")
    found = block(text, link)[0]
    day = found[2:12]
    later = (datetime.date.fromisoformat(day) + datetime.timedelta(days=6)).isoformat()
    files["municipality"].write_text(text.replace(found, found.replace(day, later, 1), 1),
                                     encoding="utf-8")
    code, doc = reconcile(example_copy)
    assert code == 1
    [check] = transfer_checks(doc, link)
    assert check["check"] == f"^{link}: halves within the rules' days"
    assert "6 days apart" in check["note"] and "the rules' 5" in check["note"]
    assert {d["filename"] for d in check["directives"]} == {str(p) for p in files.values()}


def test_reconcile__halves_five_days_apart_pair_as_the_rules_allow(example_copy: Path) -> None:
    files = sides(example_copy)
    link = "tranche-kolding-2018-03-01"
    text = files["municipality"].read_text(encoding="utf-8")
    found = block(text, link)[0]
    files["municipality"].write_text(
        text.replace(found, found.replace("2018-03-01", "2018-03-06", 1), 1), encoding="utf-8")
    _, doc = reconcile(example_copy)
    assert transfer_checks(doc, link) == []


def test_check__an_extra_tranche_in_the_pools_books_breaks_its_rule(example_copy: Path) -> None:
    pool = example_copy.parent / "pool" / "books.beancount"
    text = pool.read_text(encoding="utf-8")
    extra = block(text, "tranche-kolding-2018-09-01")[0].replace("2018-09-01", "2018-10-01")
    pool.write_text(text + extra.replace("\n\n", "\n\n", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(example_copy.parent / "pool" /
                                                    "main.beancount"), "--as-of", "2026-01-01"])
    assert result.exit_code == 1
    assert "[tranches-within-award] tranches to Kolding: 2968750.00 DKK paid" in result.output


def test_accounts__one_municipality_reads_its_own_books_only(
        example_copy: Path, tmp_path: Path) -> None:
    root = example_copy.parent
    for other in ("kolding", "halsnaes", "lejre"):
        (root / "municipalities" / other / "books.beancount").write_text(
            "this is not beancount {{{\n", encoding="utf-8")
    (root / "pool" / "books.beancount").write_text("garbage\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["accounts", "Aarhus", "--period", "--ledger",
                                       str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "aarhus-period.xlsx" in written and "aarhus-period-citizens.csv" in written


def test_generate__writes_the_federation_at_any_size(tmp_path: Path) -> None:
    out = tmp_path / "books"
    made = CliRunner().invoke(main, ["generate", "--out", str(out), "--municipalities", "7",
                                     "--citizens", "35", "--purchases", "2"])
    assert made.exit_code == 0, made.output
    federation = find(out)
    assert federation is not None and federation.pool is not None
    assert [e.name for e in federation.municipalities] == sorted(
        ["Aarhus", "Halsnæs", "Kolding", "Lejre", "Albertslund", "Allerød", "Assens"],
        key=lambda n: n.replace("æ", "ae").replace("ø", "oe").lower())
    includes = (out / "main.beancount").read_text(encoding="utf-8").count('include "')
    assert includes == 8
    checked = CliRunner().invoke(main, ["check", str(out), "--as-of", "2026-01-01"])
    assert checked.exit_code == 0, checked.output
    reconciled = CliRunner().invoke(main, ["reconcile", str(out), "--as-of", "2026-01-01"])
    # 7 awards, 28 tranches, and a claim with its repayment for each grant but the one
    # whose unspent money is under the de-minimis
    assert reconciled.exit_code == 0 and "(47 pairs)" in reconciled.output


def test_check__an_entity_whose_books_cannot_load_is_a_finding_and_the_others_run(
        example_copy: Path) -> None:
    root = example_copy.parent
    (root / "municipalities" / "kolding" / "main.beancount").write_bytes(b"\xff\xfe not utf-8")
    result = CliRunner().invoke(main, ["check", str(root), "--as-of", "2026-01-01",
                                       "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    rules = [(f["rule"], Path(f["source"]["filename"]).parent.name) for f in doc["findings"]]
    assert rules == [("books-unreadable", "kolding")]  # no unpaired transfers reported for it
    broken = root / "municipalities" / "lejre" / "books.beancount"
    broken.write_text(broken.read_text(encoding="utf-8") + "2019-01-01 open Oops\n",
                      encoding="utf-8")
    again = CliRunner().invoke(main, ["check", str(root), "--as-of", "2026-01-01"])
    assert again.exit_code == 1 and "lejre/books.beancount" in again.output
    assert "[books-unreadable] the books of kolding could not be checked" in again.output



def test_bean_check__the_consolidated_books_show_an_unpaired_half_as_fava_does(
        example_copy: Path) -> None:
    files = sides(example_copy)
    link = "claim-kolding-2020-04-20"
    files["pool"].write_text(without(files["pool"].read_text(encoding="utf-8"), link),
                             encoding="utf-8")
    done = bean_check(example_copy)
    assert done.returncode == 1
    [line] = [x for x in done.stderr.splitlines() if "[transfer-pair]" in x]
    assert line.startswith(f"{files['municipality']}:{line_of(files['municipality'], link)}: ")
    # each entity's own books cannot see the other half: clean alone
    assert bean_check(example_copy.parent / "pool" / "main.beancount").returncode == 0
