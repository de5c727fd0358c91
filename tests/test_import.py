"""``grantpool import``: a Danish bank statement matched to the books and added
once; a bad statement refused whole with the line that failed, the books untouched."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from tests.statements import rebalance, statement_lines, write

AARHUS = "Assets:Municipality:Aarhus:Bank"
FEB = (datetime.date(2018, 2, 1), datetime.date(2018, 2, 28))


def run(ledger: Path, statement: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["import", str(statement), "--ledger", str(ledger), *args])
    return result.exit_code, result.stdout, result.stderr


def aarhus(ledger: Path) -> Path:
    return ledger.parent / "municipalities" / "aarhus" / "books.beancount"


def test_import__a_statement_the_books_already_hold_adds_nothing(
    example_copy: Path, tmp_path: Path
) -> None:
    before = aarhus(example_copy).read_bytes()
    statement = write(tmp_path / "aarhus-2018-02.csv", statement_lines(example_copy, AARHUS, *FEB))
    code, out, _ = run(example_copy, statement)
    assert code == 0
    assert out.count("  matched   line") == 9
    assert "nothing new" in out and aarhus(example_copy).read_bytes() == before


def test_import__a_bank_line_without_a_book_entry_is_added_once(
    example_copy: Path, tmp_path: Path
) -> None:
    fee = (datetime.date(2018, 2, 27), Decimal("-25.00"), "FEE-0227")
    rows = statement_lines(example_copy, AARHUS, *FEB, extra=[fee])
    statement = write(tmp_path / "aarhus-2018-02.csv", rows)
    code, out, _ = run(example_copy, statement)
    assert code == 0
    assert re.search(r"unmatched line \d+ 2018-02-27 +-25\.00 \(bank only", out)
    text = aarhus(example_copy).read_text(encoding="utf-8")
    assert text.count('bank_ref: "FEE-0227"') == 1
    assert '2018-02-27 ! "Unmatched bank line FEE-0227: classify it" #unreconciled' in text
    closing = rows[-1].split(";")[4].replace(".", "").replace(",", ".")
    assert f"2018-03-01 balance {AARHUS}" in text and closing in text
    after_first = aarhus(example_copy).read_bytes()
    code, out, _ = run(example_copy, statement)
    assert code == 0 and "nothing new" in out
    assert aarhus(example_copy).read_bytes() == after_first
    checked = CliRunner().invoke(main, ["check", str(example_copy)])
    assert checked.exit_code == 1  # the books' own March statement no longer agrees
    assert "Balance failed for 'Assets:Municipality:Aarhus:Bank'" in checked.stdout


def test_import__a_book_entry_missing_from_the_statement_is_listed(
    example_copy: Path, tmp_path: Path
) -> None:
    rows = statement_lines(example_copy, AARHUS, *FEB)
    del rows[3]  # the bank never saw this payment
    code, out, _ = run(example_copy, write(tmp_path / "aarhus-feb.csv", rebalance(rows)))
    assert code == 0
    assert out.count("unmatched books ") == 1 and "2018-02-14 Purchase: " in out


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (lambda rows: [rows[0].replace(";Saldo", ""), *rows[1:]], 1, "missing column(s) Saldo"),
        (lambda rows: [*rows[:4], rows[4].replace("-2.690,00", "-2690.00"), *rows[5:]], 5,
         "'-2690.00' is not a Danish amount"),
        (lambda rows: [*rows[:3], rows[3].replace("14-02-2018", "2018-02-14", 1), *rows[4:]], 4,
         "Dato '2018-02-14' is not a date like 08-02-2018"),
        (lambda rows: [*rows[:2], "09-02-2018;Betaling", *rows[3:]], 3, "2 fields, the header"),
    ],
    ids=["missing column", "bad number", "bad date", "short line"],
)
def test_import__a_malformed_statement_is_refused_whole(
    example_copy: Path, tmp_path: Path, change: object, line: int, message: str
) -> None:
    before = aarhus(example_copy).read_bytes()
    rows = change(statement_lines(example_copy, AARHUS, *FEB))  # type: ignore[operator]
    statement = write(tmp_path / "aarhus-2018-02.csv", rows)
    code, out, err = run(example_copy, statement)
    assert code == 2 and out == ""
    assert f"{statement}:{line}: " in err and message in err and "was not imported" in err
    assert aarhus(example_copy).read_bytes() == before


def test_import__a_wrong_encoding_is_refused(example_copy: Path, tmp_path: Path) -> None:
    before = aarhus(example_copy).read_bytes()
    rows = statement_lines(example_copy, AARHUS, *FEB)
    statement = write(tmp_path / "aarhus-2018-02.csv", rows, encoding="latin-1")
    code, _, err = run(example_copy, statement)
    assert code == 2 and f"{statement}:1: not utf-8-sig text" in err
    assert aarhus(example_copy).read_bytes() == before
    code, _, err = run(example_copy, statement, "--encoding", "no-such-codec")
    assert code == 2 and f"{statement}:1: 'no-such-codec' is not a text encoding" in err
    code, out, _ = run(example_copy, statement, "--encoding", "latin-1")
    assert code == 0 and "nothing new" in out


def test_import__the_bank_account_comes_from_the_name_or_the_option(
    example_copy: Path, tmp_path: Path
) -> None:
    rows = statement_lines(example_copy, AARHUS, *FEB)
    code, _, err = run(example_copy, write(tmp_path / "statement.csv", rows))
    assert code == 2 and "pass --account" in err
    code, out, _ = run(example_copy, write(tmp_path / "statement.csv", rows),
                       "--account", AARHUS)
    assert code == 0 and "nothing new" in out


def test_import__an_unclassified_bank_line_fails_reconcile(
    example_copy: Path, tmp_path: Path
) -> None:
    fee = (datetime.date(2018, 2, 27), Decimal("-25.00"), "FEE-0227")
    rows = statement_lines(example_copy, AARHUS, *FEB, extra=[fee])
    assert run(example_copy, write(tmp_path / "aarhus-2018-02.csv", rows))[0] == 0
    result = CliRunner().invoke(main, ["reconcile", str(example_copy)])
    assert result.exit_code == 1
    assert "!! bank lines classified" in result.stdout and "FEE-0227" in result.stdout
