"""``grantpool accounts``: the grant accounts as CSV and XLSX, reproducible, with
suppressed small groups, the de-minimis, the audit level, and totals that equal
``grantpool report``."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from grantpool.audit.accounts_files import accounts_csv, words, write_for_pool
from grantpool.audit.grant_accounts import grant_accounts, period_of
from grantpool.books.loading import load
from grantpool.cli import main
from grantpool.i18n import translator
from grantpool.i18n.accounts import untranslated
from grantpool.rules.pooldef import load_pool
from tests.conftest import EXAMPLE, RULES
from tests.reporting import report


def make(out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["accounts", *args, "--language", "en", "--ledger",
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
    categories = {k: v for k, v in found.items() if k.startswith("Drawing rights: ")
                  and "together" not in k}
    shown = [k for k, v in categories.items() if v["amount"]]
    hidden = [k for k, v in categories.items() if not v["amount"]]
    assert all(int(found[k]["note"].split()[0]) in (0, *range(5, 1000)) for k in shown)
    assert len(hidden) >= 2  # never one alone: it could be derived
    assert all(found[k]["note"] == "suppressed" for k in hidden)
    together = found["Drawing rights: suppressed categories, together"]
    assert together["note"].startswith(f"{len(hidden)} categories")
    total = sum(Decimal(found[k]["amount"]) for k in shown) + Decimal(together["amount"])
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


# --- the language of the files -----------------------------------------------------

def accounts_of(books: Path, rules: str, municipality: str, year: int | None) -> Any:
    entries, _, _ = load(books)
    pool, _ = load_pool(RULES / f"{rules}.yaml")
    assert pool is not None
    return pool, grant_accounts(entries, pool, municipality, period_of(pool, year))


@pytest.mark.parametrize("year", [None, 2018, 2019])
def test_accounts__dk2017_files_are_in_danish_in_the_ministrys_terms(
    tmp_path: Path, year: int | None
) -> None:
    pool, accounts = accounts_of(EXAMPLE / "main.beancount", "dk2017", "Lejre", year)
    assert pool.language == "da"
    write_for_pool(accounts, pool, tmp_path, "lejre")  # the pool's language by default
    with (tmp_path / "lejre.csv").open(encoding="utf-8") as handle:
        found = {row["post"]: row for row in csv.DictReader(handle)}
    assert "Modtaget tilskud" in found and "Uforbrugte midler" in found
    assert "Tilbagebetaling" in found and "Krævet revision" in found
    assert any(k.startswith("Trækningsret: ") for k in found)
    assert not any("comms_phone" in k or "Drawing rights" in k for k in found)
    lines = [(getattr(x, "key", ""), x.label, x.note) for x in accounts.lines]
    assert untranslated(lines, translator("da")) == []
    book = load_workbook(tmp_path / "lejre.xlsx")
    assert book.sheetnames == ["Regnskab", "Borgere"]
    assert str(book["Regnskab"]["A1"].value).startswith("Tilskudsregnskab: ")


def test_accounts__lejre_keeps_its_430_under_the_de_minimis_in_danish(tmp_path: Path) -> None:
    pool, accounts = accounts_of(EXAMPLE / "main.beancount", "dk2017", "Lejre", None)
    found = {row["post"]: row for row in csv.DictReader(
        accounts_csv(accounts, words("da", pool)).splitlines())}
    assert found["Beholdt under bagatelgrænsen"]["beløb"] == "430.00"
    repayment = found["Tilbagebetaling"]
    assert repayment["beløb"] == "0.00" and "under bagatelgrænsen på 500,00" in repayment[
        "bemærkning"]


def test_accounts__uk2009_files_are_in_english(tmp_path: Path) -> None:
    books = EXAMPLE / "examples" / "uk2009" / "main.beancount"
    pool, accounts = accounts_of(books, "uk2009", "City of London", None)
    assert pool.language == "en"
    write_for_pool(accounts, pool, tmp_path, "london")
    text = (tmp_path / "london.csv").read_text(encoding="utf-8")
    assert text.startswith("section,line,amount,note\n")
    assert "Grant received (tilskud modtaget)" in text
    assert load_workbook(tmp_path / "london.xlsx").sheetnames == ["Accounts", "Citizens"]


def test_accounts__language_can_be_switched_either_way(tmp_path: Path) -> None:
    pool, accounts = accounts_of(EXAMPLE / "main.beancount", "dk2017", "Aarhus", None)
    write_for_pool(accounts, pool, tmp_path, "aarhus", language="en")
    assert "Expenses, total" in (tmp_path / "aarhus.csv").read_text(encoding="utf-8")
    write_for_pool(accounts, pool, tmp_path, "aarhus", language="da")
    assert "Udgifter i alt" in (tmp_path / "aarhus.csv").read_text(encoding="utf-8")


def test_accounts__excel_da_dialect_opens_in_a_danish_spreadsheet(tmp_path: Path) -> None:
    pool, accounts = accounts_of(EXAMPLE / "main.beancount", "dk2017", "Halsnæs", None)
    write_for_pool(accounts, pool, tmp_path, "halsnaes", dialect="excel-da")
    raw = (tmp_path / "halsnaes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # BOM, CRLF
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["afsnit", "post", "beløb", "bemærkning"]
    received = next(r for r in rows if r[1] == "Modtaget tilskud")
    assert received[2] == "2375000,00"
    people = (tmp_path / "halsnaes-citizens.csv").read_text(encoding="utf-8-sig")
    assert people.splitlines()[0].startswith("borger;bevilget;")
    assert ";fraflyttet" in people and re.search(r";\d\d-\d\d-\d{4};", people)


def test_accounts__english_files_name_categories_by_their_english_label(tmp_path: Path) -> None:
    assert make(tmp_path, "Aarhus", "--period")[0] == 0
    found = lines(tmp_path / "aarhus-period.csv")
    categories = [k for k in found if k.startswith("Drawing rights: ") and "together" not in k]
    assert "Drawing rights: Dental treatment" in categories
    assert not any("_" in k for k in categories)  # no code such as health_dental
    sheet = load_workbook(tmp_path / "aarhus-period.xlsx")["Accounts"]
    labels = [r[1] for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert "Drawing rights: Dental treatment" in labels and "Drawing rights: health_dental" \
        not in labels
