"""Bank statements and the daily run on a federation: a statement goes to its entity's
own books (found by the IBAN its bank account is opened with, or the file name), and
only those books are loaded, locked and written; the daily run checks each entity on
its own, so one entity's broken books are that entity's finding and the others are
still checked."""

from __future__ import annotations

import datetime
import re
import shutil
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from grantpool.books.lock import LOCK_NAME
from grantpool.cli import main
from tests.scheduling import run as run_scheduled
from tests.servers import SmtpInbox, schedule_file
from tests.statements import camt053, iban, month_of, statement_lines, write

AARHUS_BANK = "Assets:Municipality:Aarhus:Bank"
POOL_BANK = "Assets:Pool:Bank"
MARCH = (datetime.date(2018, 3, 1), datetime.date(2018, 3, 31))  # the pool pays tranche 2
FEB = (datetime.date(2018, 2, 1), datetime.date(2018, 2, 28))
FEE = (datetime.date(2018, 2, 27), Decimal("-25.00"), "FEE-0227")
STRAY = """
2018-01-15 * "Moved between municipalities' banks"
  Assets:Municipality:Aarhus:Bank   1000.00 DKK
  Assets:Municipality:Kolding:Bank -1000.00 DKK
"""  # in Kolding's books: loaded with Aarhus's, Aarhus's bank would not open as the bank's
OVER = """
2018-12-01 * "Purchase: clothing" #purchase
  Expenses:Municipality:Lejre:Purchases:Clothing   1.00 DKK
  Assets:Municipality:Lejre:Bank:Citizen:P-LEJ-001:Available  -1.00 DKK
"""  # over P-LEJ-001's cap by 1.00: a new finding in Lejre's books


def entity(ledger: Path, name: str) -> Path:
    """An entity's folder: ``pool`` or a municipality's slug."""
    return ledger.parent / name if name == "pool" else ledger.parent / "municipalities" / name


def files(ledger: Path) -> dict[Path, bytes]:
    """Every file of the federation (but the locks' own files), with its bytes."""
    return {p: p.read_bytes() for p in sorted(ledger.parent.rglob("*"))
            if p.is_file() and p.name != LOCK_NAME}


def iban_of(ledger: Path, name: str) -> str:
    """The IBAN an entity's bank account is opened with in its books."""
    text = (entity(ledger, name) / "books.beancount").read_text(encoding="utf-8")
    return re.findall(r'iban: "([^"]+)"', text)[0]


def run(ledger: Path, statement: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["import", str(statement), "--ledger", str(ledger),
                                       *args])
    return result.exit_code, result.stdout, result.stderr


def aarhus_statement(ledger: Path, folder: Path) -> Path:
    """Aarhus's February as camt.053, with a fee the books do not hold; made from
    Aarhus's own books only."""
    month = month_of(entity(ledger, "aarhus") / "main.beancount", AARHUS_BANK, *FEB,
                     extra=[FEE], account=iban_of(ledger, "aarhus"))
    path = folder / "corporate-2018-02.xml"
    path.write_text(camt053(month), encoding="utf-8")
    return path


def changed(before: dict[Path, bytes], after: dict[Path, bytes]) -> list[Path]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def test_import__federation_writes_only_aarhus_books(
    example_copy: Path, tmp_path: Path
) -> None:
    statement = aarhus_statement(example_copy, tmp_path)
    before = files(example_copy)
    code, out, err = run(example_copy, statement)
    assert code == 0, err
    books = entity(example_copy, "aarhus") / "books.beancount"
    assert changed(before, files(example_copy)) == [books]
    text = books.read_text(encoding="utf-8")
    assert 'bank_ref: "FEE-0227"' in text and f"2018-03-01 balance {AARHUS_BANK}" in text
    assert f"-> {AARHUS_BANK}" in out and f"appended to {books}" in out
    # the lock taken is Aarhus's own, not the whole federation's
    assert (books.parent / LOCK_NAME).exists()
    assert not (example_copy.parent / LOCK_NAME).exists()
    code, out, _ = run(example_copy.parent, statement)  # the folder names the federation too
    assert code == 0 and "nothing new" in out
    assert changed(before, files(example_copy)) == [books]


def test_import__federation_does_not_load_other_entities(
    example_copy: Path, tmp_path: Path
) -> None:
    statement = aarhus_statement(example_copy, tmp_path)
    kolding = entity(example_copy, "kolding") / "books.beancount"
    kolding.write_text("this is {{ not beancount\n" + kolding.read_text(encoding="utf-8")
                       + STRAY, encoding="utf-8")
    whole = example_copy.parent / "whole.beancount"  # every entity in one load: the trap
    shutil.copyfile(example_copy, whole)
    before = files(example_copy)
    code, _, err = run(whole, statement)
    assert code == 2 and "but the books give" in err, err  # Kolding's stray entry was loaded
    assert files(example_copy) == before
    code, _, err = run(example_copy, statement)
    assert code == 0, err  # on the federation, Kolding's books were never loaded
    assert changed(before, files(example_copy)) == [
        entity(example_copy, "aarhus") / "books.beancount"]


def test_import__federation_never_reads_an_unreadable_entity(
    example_copy: Path, tmp_path: Path
) -> None:
    statement = aarhus_statement(example_copy, tmp_path)
    kolding = entity(example_copy, "kolding") / "books.beancount"
    kolding.unlink()
    kolding.mkdir()  # not even a file: any load of Kolding's books fails
    code, _, err = run(example_copy, statement)
    assert code == 0, err
    assert 'bank_ref: "FEE-0227"' in (
        entity(example_copy, "aarhus") / "books.beancount").read_text(encoding="utf-8")


def test_import__pool_statement_goes_to_pool_books(
    example_copy: Path, tmp_path: Path
) -> None:
    pool_main = entity(example_copy, "pool") / "main.beancount"
    fee = (datetime.date(2018, 3, 30), Decimal("-15.00"), "FEE-POOL-0330")
    month = month_of(pool_main, POOL_BANK, *MARCH, extra=[fee],
                     account=iban_of(example_copy, "pool"))
    assert len(month.moves) == 5  # the four tranches paid, and the fee
    statement = tmp_path / "ministry-2018-03.xml"
    statement.write_text(camt053(month), encoding="utf-8")
    before = files(example_copy)
    code, out, err = run(example_copy, statement)
    assert code == 0, err
    books = entity(example_copy, "pool") / "books.beancount"
    assert changed(before, files(example_copy)) == [books]
    assert f"-> {POOL_BANK}" in out and "4 matched, 1 bank line(s) unmatched" in out
    text = books.read_text(encoding="utf-8")
    assert 'bank_ref: "FEE-POOL-0330"' in text and "Expenses:Pool:Unreconciled" in text
    code, out, _ = run(example_copy, statement)
    assert code == 0 and "nothing new" in out


def test_import__pool_csv_statement_is_told_by_its_file_name(
    example_copy: Path, tmp_path: Path
) -> None:
    pool_main = entity(example_copy, "pool") / "main.beancount"
    rows = statement_lines(pool_main, POOL_BANK, *MARCH)
    before = files(example_copy)
    code, out, err = run(example_copy, write(tmp_path / "pool-2018-03.csv", rows))
    assert code == 0 and f"-> {POOL_BANK}" in out and "4 matched, 0 bank" in out, err
    books = entity(example_copy, "pool") / "books.beancount"
    assert changed(before, files(example_copy)) == [books]
    assert f"2018-03-02 balance {POOL_BANK}" in books.read_text(encoding="utf-8")


def test_import__an_iban_of_no_entity_exits_2_and_writes_nothing(
    example_copy: Path, tmp_path: Path
) -> None:
    stranger = iban("DK", "00400440116299")
    month = month_of(entity(example_copy, "aarhus") / "main.beancount", AARHUS_BANK, *FEB,
                     extra=[FEE], account=stranger)
    statement = tmp_path / "statement.xml"
    statement.write_text(camt053(month), encoding="utf-8")
    before = files(example_copy)
    code, out, err = run(example_copy, statement)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"grantpool: {statement}:")
    assert f"ending {stranger[-4:]}" in err and stranger not in err
    assert "iban:" in err and "the statement was not imported" in err
    assert files(example_copy) == before


def test_import__an_entitys_own_main_file_is_one_set_of_books(
    example_copy: Path, tmp_path: Path
) -> None:
    statement = aarhus_statement(example_copy, tmp_path)
    before = files(example_copy)
    code, _, err = run(entity(example_copy, "aarhus") / "main.beancount", statement)
    assert code == 0, err
    assert changed(before, files(example_copy)) == [
        entity(example_copy, "aarhus") / "books.beancount"]
    kolding_main = entity(example_copy, "kolding") / "main.beancount"
    code, _, err = run(kolding_main, statement)  # Aarhus's IBAN is not Kolding's
    assert code == 2 and f"no bank account of {kolding_main}" in err


def test_scheduled__federation_with_one_unloadable_entity_reports_it_and_checks_the_others(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    statement = aarhus_statement(example_copy, tmp_path / "inbox")
    kolding_main = entity(example_copy, "kolding") / "main.beancount"
    kolding_main.write_text(kolding_main.read_text(encoding="utf-8").replace(
        "rules/dk2017.yaml", "rules/missing.yaml"), encoding="utf-8")
    with (entity(example_copy, "lejre") / "books.beancount").open("a") as books:
        books.write(OVER)
    result, status = run_scheduled(example_copy, config)
    assert result.exit_code == 2, result.output
    findings = status["findings"]
    [broken] = [f for f in findings if f["rule"] == "books-unreadable"]
    assert broken["municipality"] == "Kolding" and broken["severity"] == "error"
    assert broken["new"] is True and "missing.yaml" in broken["message"]
    assert "Kolding" in status["summary"]["error"]
    # the others were checked: Lejre's new finding is there, and mailed to Lejre
    assert any(f["rule"] == "citizen-cap" and f["municipality"] == "Lejre" for f in findings)
    assert any("P-LEJ-001" in m.get_content() for m in inbox.to("lejre@example.org"))
    # Kolding's transfers are not reported as unpaired: its halves are unknown, not missing
    assert not any(f["rule"] == "transfer-pair" for f in findings)
    # and the statement of Aarhus was imported into Aarhus's books
    assert status["summary"]["imported"] == [statement.name]
    [to_kolding] = inbox.to("kolding@example.org")
    assert "missing.yaml" in to_kolding.get_content()
    result, status = run_scheduled(example_copy, config)  # the next day: mailed only once
    assert result.exit_code == 2 and len(inbox.to("kolding@example.org")) == 1


def test_scheduled__federation_with_unparseable_books_reports_them_as_that_entitys(
    example_copy: Path, tmp_path: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    config = schedule_file(tmp_path, port)
    kolding = entity(example_copy, "kolding") / "books.beancount"
    kolding.write_text(kolding.read_text(encoding="utf-8") + "\nthis is {{ not beancount\n",
                       encoding="utf-8")
    with (entity(example_copy, "lejre") / "books.beancount").open("a") as books:
        books.write(OVER)
    result, status = run_scheduled(example_copy, config)
    assert result.exit_code == 1, result.output
    broken = [f for f in status["findings"] if f["source"]["filename"] == str(kolding.resolve())]
    assert broken and all(f["municipality"] == "Kolding" for f in broken)
    assert any(f["rule"] == "citizen-cap" and f["municipality"] == "Lejre"
               for f in status["findings"])
    [to_kolding] = inbox.to("kolding@example.org")  # Kolding's own books: told to Kolding
    assert f"{kolding.resolve()}:" in to_kolding.get_content()
    assert "Invalid token" in to_kolding.get_content()
