"""``grantpool import`` is exact: each bank line booked once, by one process at a time,
one to one with the books across statements, and only statements that add up."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from grantpool.bank.matching import match
from grantpool.bank.statement import BankLine
from grantpool.books import lock
from tests.statements import danish, number, rebalance, statement_lines, write
from tests.test_import import AARHUS, FEB, aarhus, run

Loaded = tuple[list[Any], list[Any], dict[str, Any]]
HOLD_SECONDS = 5  # long enough for both processes to start and load the books


def month(year: int, number: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, number, 1)
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def line(day: datetime.date, amount: str, ref: str) -> tuple[datetime.date, Decimal, str]:
    return day, Decimal(amount), ref


def test_import__two_processes_importing_one_statement_at_once_book_it_once(
    example_copy: Path, tmp_path: Path
) -> None:
    fee = line(datetime.date(2018, 2, 27), "-25.00", "FEE-0227")
    rows = statement_lines(example_copy, AARHUS, *FEB, extra=[fee])
    statement = write(tmp_path / "aarhus-2018-02.csv", rows)
    command = [sys.executable, "-m", "grantpool", "import", str(statement),
               "--ledger", str(example_copy)]
    env = {**os.environ, lock.TIMEOUT_ENV: "120"}
    # both start while another writer holds Aarhus's books (its own folder's lock)
    with lock.books_lock(aarhus(example_copy).parent):
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=env) for _ in range(2)]
        time.sleep(HOLD_SECONDS)
    outputs = [process.communicate(timeout=180) for process in runs]
    assert [process.returncode for process in runs] == [0, 0], outputs
    text = aarhus(example_copy).read_text(encoding="utf-8")
    assert text.count('bank_ref: "FEE-0227"') == 1
    closing = number(rows[-1].split(";")[4])
    assert text.count(f"2018-03-01 balance {AARHUS}") == 2  # the books' own, and the bank's
    assert text.count(f"{closing:.2f} DKK") == 1
    assert sorted("nothing new" in out for out, _ in outputs) == [False, True]


def without_statements(ledger: Path) -> None:
    """Take every balance assertion of Aarhus's bank out of the books."""
    path = aarhus(ledger)
    kept = [x for x in path.read_text(encoding="utf-8").splitlines(keepends=True)
            if f" balance {AARHUS} " not in x]
    path.write_text("".join(kept), encoding="utf-8")


@pytest.mark.parametrize("books", ["asserted monthly", "never asserted"])
def test_import__recurring_same_amount_lines_are_all_booked(
    example_copy: Path, tmp_path: Path, books: str
) -> None:
    if books == "never asserted":
        without_statements(example_copy)
    extras = {  # a fee each month near the turn, and January's payroll paid twice
        1: [line(datetime.date(2018, 1, 29), "-25.00", "FEE-0129")],
        2: [line(datetime.date(2018, 2, 2), "-25.00", "FEE-0202"),
            line(datetime.date(2018, 2, 2), "-45000.00", "SAL-0202"),
            line(datetime.date(2018, 2, 27), "-25.00", "FEE-0227")],
        3: [line(datetime.date(2018, 3, 2), "-25.00", "FEE-0302")],
    }
    for n, extra in extras.items():
        rows = statement_lines(example_copy, AARHUS, *month(2018, n), extra=extra)
        code, out, err = run(example_copy, write(tmp_path / f"aarhus-2018-0{n}.csv", rows))
        assert code == 0, err
        assert out.count("unmatched line") == len(extra), out
    text = aarhus(example_copy).read_text(encoding="utf-8")
    for ref in ("FEE-0129", "FEE-0202", "SAL-0202", "FEE-0227", "FEE-0302"):
        assert text.count(f'bank_ref: "{ref}"') == 1, ref
    for n in extras:  # a second import of each adds nothing
        before = aarhus(example_copy).read_bytes()
        code, out, _ = run(example_copy, tmp_path / f"aarhus-2018-0{n}.csv")
        assert code == 0 and "nothing new" in out
        assert aarhus(example_copy).read_bytes() == before


def test_match__an_entry_written_for_one_bank_line_never_matches_another(
    load_doc: Callable[[str], Loaded]
) -> None:
    entries, errors, _ = load_doc(f"""
        2018-01-01 open {AARHUS} DKK
        2018-01-01 open Expenses:Municipality:Aarhus:Unreconciled DKK
        2018-01-30 ! "Unmatched bank line FEE-0130: classify it" #unreconciled
          bank_ref: "FEE-0130"
          {AARHUS}  -25.00 DKK
          Expenses:Municipality:Aarhus:Unreconciled  25.00 DKK
    """)
    assert errors == []
    other = BankLine(2, datetime.date(2018, 2, 2), "Gebyr", Decimal("-25.00"),
                     Decimal("-50.00"), "FEE-0202")
    same = BankLine(2, datetime.date(2018, 1, 30), "Gebyr", Decimal("-25.00"),
                    Decimal("-25.00"), "FEE-0130")
    assert match([other], entries, AARHUS, 5).unmatched_bank == [other]
    assert [b for b, _ in match([same], entries, AARHUS, 5).matched] == [same]
    # a line of a CSV export (no reference: its key is a digest) is the same line
    exported = BankLine(2, datetime.date(2018, 1, 30), "Gebyr", Decimal("-25.00"),
                        Decimal("-25.00"), "")
    assert exported.key.startswith("sha256:")
    assert [b for b, _ in match([exported], entries, AARHUS, 5).matched] == [exported]
    assert match([exported, other], entries, AARHUS, 5).unmatched_bank == [other]
    # the same amount on another day is another movement, in whatever order the export
    # lists them: never matched to this one (which a line of its own day takes)
    later = BankLine(1, datetime.date(2018, 2, 2), "Gebyr", Decimal("-25.00"),
                     Decimal("-50.00"), "")
    for lines in ([later, exported], [exported, later]):
        found = match(lines, entries, AARHUS, 5)
        assert [(b.date, t.date) for b, t in found.matched] == [(exported.date, exported.date)]
        assert found.unmatched_bank == [later]


def shift(rows: list[str], at: int, amount: Decimal) -> list[str]:
    """*rows* with the Saldo of row *at* raised by *amount*."""
    fields = rows[at].split(";")
    fields[4] = danish(number(fields[4]) + amount)
    return [*rows[:at], ";".join(fields), *rows[at + 1:]]


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_import__a_saldo_that_does_not_add_up_refuses_the_statement(
    example_copy: Path, tmp_path: Path, order: str
) -> None:
    before = aarhus(example_copy).read_bytes()
    rows = statement_lines(example_copy, AARHUS, *FEB)
    if order == "newest first":
        rows = [rows[0], *rows[:0:-1]]
    code, out, _ = run(example_copy, write(tmp_path / "aarhus-2018-02.csv", rows))
    assert code == 0 and "nothing new" in out  # as the bank printed it, either way round
    statement = write(tmp_path / "aarhus-2018-02.csv", shift(rows, 5, Decimal("100.00")))
    code, out, err = run(example_copy, statement)
    assert code == 2 and out == ""
    assert f"{statement}:6: Saldo " in err and "does not add up" in err
    assert "was not imported" in err and err.count("\n") == 1
    assert aarhus(example_copy).read_bytes() == before


def test_import__a_statement_that_does_not_open_at_the_books_balance_is_refused(
    example_copy: Path, tmp_path: Path
) -> None:
    before = aarhus(example_copy).read_bytes()
    rows = statement_lines(example_copy, AARHUS, *FEB)
    statement = write(tmp_path / "aarhus-2018-02.csv", rebalance(shift(rows, 1, Decimal(100))))
    code, out, err = run(example_copy, statement)
    assert code == 2 and out == ""
    assert f"{statement}:2: the statement opens at 497.534,00" in err
    assert f"books give {AARHUS} 497.434,00 on 08-02-2018 (last asserted 01-02-2018)" in err
    assert aarhus(example_copy).read_bytes() == before
    # from the middle of the month: the books' entries since the assertion count
    rows = statement_lines(example_copy, AARHUS, datetime.date(2018, 2, 15), FEB[1])
    code, out, err = run(example_copy, write(tmp_path / "aarhus-2018-02b.csv", rows))
    assert code == 0 and "nothing new" in out, err


@pytest.mark.parametrize("days", ["-1", "100000000"])
def test_import__a_match_window_out_of_range_is_refused(
    example_copy: Path, tmp_path: Path, days: str
) -> None:
    before = aarhus(example_copy).read_bytes()
    statement = write(tmp_path / "aarhus-2018-02.csv", statement_lines(example_copy, AARHUS, *FEB))
    code, out, err = run(example_copy, statement, "--match-days", days)
    assert code == 2 and out == "" and "--match-days" in err and "0<=x<=60" in err
    assert aarhus(example_copy).read_bytes() == before


@pytest.mark.parametrize(
    "account",
    [f"{AARHUS}:DrawingRights", "Expenses:Municipality:Aarhus:Salary",
     "Assets:Municipality:Nowhere:Bank", "no account"],
)
def test_import__only_a_bank_account_of_the_books_is_accepted(
    example_copy: Path, tmp_path: Path, account: str
) -> None:
    files = {p: p.read_bytes() for p in example_copy.parent.rglob("*.beancount")}
    fee = line(datetime.date(2018, 2, 27), "-25.00", "FEE-0227")
    rows = statement_lines(example_copy, AARHUS, *FEB, extra=[fee])
    code, out, err = run(example_copy, write(tmp_path / "statement.csv", rows),
                         "--account", account)
    assert code == 2 and out == ""
    assert err.startswith(f"grantpool: '{account}': not a bank account of {example_copy}")
    assert "pass --account one of its bank accounts (Assets:Municipality:" in err
    assert err.count("\n") == 1
    assert {p: p.read_bytes() for p in example_copy.parent.rglob("*.beancount")} == files


def test_import__the_banks_text_never_enters_the_books(
    example_copy: Path, tmp_path: Path
) -> None:
    fee = line(datetime.date(2018, 2, 27), "-25.00", "NOREF")
    rows = statement_lines(example_copy, AARHUS, *FEB, extra=[fee])
    rows = [r.replace(";Betaling;", ';"Husleje; Testperson Syntetisk";').replace("NOREF", "")
            if "NOREF" in r else r for r in rows]  # a quoted ';' is part of the text
    code, out, err = run(example_copy, write(tmp_path / "aarhus-2018-02.csv", rows))
    assert code == 0 and "unmatched line" in out, err
    books = "".join(p.read_text(encoding="utf-8")
                    for p in example_copy.parent.rglob("*.beancount"))
    assert 'bank_ref: "sha256:' in books
    assert "Syntetisk" not in books and "Husleje" not in books
