"""``grantpool accounts``: the grant accounts as CSV and XLSX, reproducible, with
suppressed small groups, the de-minimis, the audit level, and totals that equal
``grantpool report``."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from grantpool.cli import main
from tests.conftest import EXAMPLE
from tests.reporting import report


def make(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["accounts", *args, "--ledger",
                                       str(EXAMPLE / "main.beancount"), "--out", str(out)])
    return result.exit_code, result.output


def lines(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {row["line"]: row for row in csv.DictReader(handle)}


def test_accounts__files_are_byte_identical_when_made_again(tmp_path: Path) -> None:
    assert make(tmp_path / "a", "Aarhus", "--period")[0] == 0
    assert make(tmp_path / "b", "Aarhus", "--period")[0] == 0
    for name in ("aarhus-period.csv", "aarhus-period-citizens.csv", "aarhus-period.xlsx"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_accounts__xlsx_totals_equal_the_report(tmp_path: Path) -> None:
    code, _ = make(tmp_path, "Halsnæs", "--period")
    assert code == 0
    [row] = [r for r in report("municipality", "2019-12-31") if r["municipality"] == "Halsnæs"]
    sheet = load_workbook(tmp_path / "halsnaes-period.xlsx")["Accounts"]
    values = {r[1]: r[2] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert Decimal(str(values["Expenses, total"])) == Decimal(row["spent"])
    assert Decimal(str(values["Grant received (tilskud modtaget)"])) == Decimal(row["granted"])
    unspent = Decimal(str(values["Unspent (uforbrugte midler)"]))
    assert unspent == Decimal(str(values["Repayment due (tilbagebetaling)"])) > 500
    people = load_workbook(tmp_path / "halsnaes-period.xlsx")["Citizens"]
    assert people.max_row == 1 + 25


def test_accounts__lejre_owes_nothing_under_the_de_minimis(tmp_path: Path) -> None:
    assert make(tmp_path, "Lejre", "--period")[0] == 0
    found = lines(tmp_path / "lejre-period.csv")
    assert found["Unspent (uforbrugte midler)"]["amount"] == "430.00"
    repayment = found["Repayment due (tilbagebetaling)"]
    assert repayment["amount"] == "0.00" and "de-minimis" in repayment["note"]
    assert "performance audit" in found["Audit required"]["note"]


def test_accounts__categories_of_fewer_than_5_citizens_are_suppressed(tmp_path: Path) -> None:
    assert make(tmp_path, "Lejre", "--year", "2018")[0] == 0
    found = lines(tmp_path / "lejre-2018.csv")
    shown = [k for k in found if k.startswith("Drawing rights: ") and "other" not in k]
    assert all(int(found[k]["note"].split()[0]) >= 5 for k in shown)
    hidden = found["Drawing rights: other categories (suppressed)"]
    assert hidden["note"].startswith("2 categories")  # never one alone: it could be derived
    total = sum(Decimal(found[k]["amount"]) for k in [*shown, "Drawing rights: other "
                                                      "categories (suppressed)"])
    assert total == Decimal(found["Budget line: drawing rights (purchases), total"]["amount"])
    assert found["Repayment due (tilbagebetaling)"]["note"] == "settled in the final accounts"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Lejre", "--year", "2016"], "outside the project period"),
        (["Roskilde", "--period"], "no grant to 'Roskilde'"),
        (["Lejre"], "exactly one of --year YYYY or --period"),
        (["Lejre", "--year", "2018", "--period"], "exactly one of"),
    ],
)
def test_accounts__bad_requests_exit_2_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, output = make(tmp_path / "out", *args)
    assert code == 2 and message in output
    assert not (tmp_path / "out").exists()
