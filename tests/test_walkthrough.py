"""The README's story: a pool run from empty books to closed accounts by
commands alone, every entry checked, the books clean and every level tied."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantpool.bank.matching import candidates
from grantpool.books.banks import bank_changes
from grantpool.books.loading import load
from grantpool.books.periods import add_months
from grantpool.cli import main
from tests.conftest import RULES
from tests.statements import statement_lines, write

STORY = [
    ["init", "--rules", "rules/dk2017.yaml", "--out", "ledger"],
    ["allocate", "applications.yaml", "--date", "2017-11-15"],
    ["budget", "Lejre", "--amount", "50000", "--date", "2018-03-15"],
    ["budget", "Lejre", "--amount", "50000", "--date", "2018-03-20"],
    ["commit", "P-LEJ-001", "--amount", "15000", "--category", "housing_deposit",
     "--date", "2018-04-01"],
    ["purchase", "P-LEJ-001", "--amount", "15000", "--category", "housing_deposit",
     "--from-commitment", "--date", "2018-04-20"],
    ["purchase", "P-LEJ-001", "--amount", "1890", "--category", "health_glasses",
     "--date", "2018-05-02"],
    ["event", "moved_out", "P-LEJ-002", "--date", "2018-09-14"],
    ["return", "P-LEJ-002", "--date", "2018-09-20"],
    ["return", "P-LEJ-001", "--date", "2019-03-20"],
    *[["salary", "Lejre", "--amount", "10000", "--date", day] for day in (
        "2017-12-31", "2018-03-31", "2018-06-30", "2018-09-30", "2018-12-31", "2019-03-31",
        "2019-06-30", "2019-09-30", "2019-12-31")],
    ["event", "accounts_submitted", "Lejre", "--date", "2020-03-20"],
    ["repayment", "Lejre", "--date", "2020-04-20", "--paid", "2020-05-20"],
]


def gp(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.output


def monthly_statements(ledger: Path, folder: Path) -> list[Path]:
    """One statement per bank and month with movements, as the bank would send them."""
    entries, _, _ = load(ledger)
    files = []
    for bank, name in (("Assets:Pool:Bank", "pool"), ("Assets:Municipality:Lejre:Bank",
                                                     "lejre")):
        months = sorted({t.date.replace(day=1) for t in candidates(entries, bank)
                         if bank_changes(t, {bank})})
        for first in months:
            last = add_months(first, 1) - datetime.timedelta(days=1)
            rows = statement_lines(ledger, bank, first, last)
            files.append(write(folder / f"{name}-{first:%Y-%m}.csv", rows))
    return files


def test_walkthrough__empty_books_to_closed_accounts(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(RULES, tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "applications.yaml").write_text(
        "applications:\n  - {municipality: Lejre, courses: 2, date: 2017-10-20}\n",
        encoding="utf-8")
    for step in STORY:
        gp(*step)
    ledger = tmp_path / "ledger" / "main.beancount"
    for statement in monthly_statements(ledger, tmp_path):
        gp("import", str(statement), "--ledger", str(ledger))
    checked = CliRunner().invoke(main, ["check", str(ledger), "--as-of", "2020-12-31"])
    assert checked.exit_code == 0, checked.output
    assert "0 error(s)" in checked.output
    assert gp("reconcile", str(ledger), "--as-of", "2020-12-31").rstrip().splitlines()[-1] \
        .startswith("OK: every level ties")
    gp("accounts", "Lejre", "--period", "--ledger", str(ledger), "--out", "accounts")
    text = (tmp_path / "accounts" / "lejre-period.csv").read_text(encoding="utf-8")
    assert "Repayment due (tilbagebetaling),83110.00" in text
    assert "Audit required,,a registered or state-authorised auditor" in text
