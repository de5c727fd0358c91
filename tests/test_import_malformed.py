"""``grantpool import`` refuses a malformed statement of any shape, and any CPR-like
number in it, with one line naming the file and line (never the number): exit 2 and
the books byte-identical."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.statements import statement_lines
from tests.test_import import AARHUS, FEB, run

Change = Callable[[list[str]], bytes]
HUGE = "x" * 140_000  # over csv's field limit of 128 KiB
CPR = "010190-1234"  # synthetic, only as detection input


def text(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def tekst(at: int, value: str) -> Change:
    """The statement with the Tekst of row *at* (0 is the header) set to *value*."""
    def change(rows: list[str]) -> bytes:
        fields = rows[at].split(";")
        fields[2] = value
        return text([*rows[:at], ";".join(fields), *rows[at + 1:]])
    return change


def field(at: int, index: int, value: str) -> Change:
    def change(rows: list[str]) -> bytes:
        fields = rows[at].split(";")
        fields[index] = value
        return text([*rows[:at], ";".join(fields), *rows[at + 1:]])
    return change


def one_line_in_latin1(rows: list[str]) -> bytes:
    return text(rows[:4]) + (rows[4].replace("Betaling", "Købmand") + "\n").encode("latin-1") \
        + text(rows[5:])


CATALOGUE: dict[str, tuple[Change, int, str]] = {
    "field over 128 KiB": (tekst(2, HUGE), 3, "a field is longer than 131072 characters"),
    "quoted field over 128 KiB": (tekst(2, f'"{HUGE}"'), 3, "longer than 131072"),
    "lone CR line endings": (lambda rows: "\r".join(rows).encode(), 1, "lone CR"),
    "NUL byte": (tekst(3, "Beta\x00ling"), 4, "holds a NUL byte"),
    "UTF-16": (lambda rows: "\n".join(rows).encode("utf-16"), 1, "not utf-8-sig text at byte 0"),
    "one line in latin-1": (one_line_in_latin1, 5, "not utf-8-sig text at byte"),
    "binary": (lambda rows: bytes(range(256)) * 4, 2, "not utf-8-sig text at byte 128"),
    "empty file": (lambda rows: b"", 1, "empty file; a statement starts with the line Dato;"),
    "blank lines only": (lambda rows: b"\n \n;;\n", 1, "empty file"),
    "header only": (lambda rows: text(rows[:1]), 1, "only the header, no bank lines"),
    "header twice": (lambda rows: text([*rows[:3], rows[0], *rows[3:]]), 4,
                     "repeats the header of line 1"),
    "column named twice": (lambda rows: text([rows[0].replace("Valør", "Saldo"), *rows[1:]]),
                           1, "column(s) Saldo named twice"),
    "missing column": (lambda rows: text([rows[0].replace("Tekst", "Text"), *rows[1:]]), 1,
                       "missing column(s) Tekst"),
    "extra field": (lambda rows: text([*rows[:4], rows[4] + ";more", *rows[5:]]), 5,
                    "7 fields, the header has 6"),
    "unquoted separator": (tekst(4, "Husleje; januar"), 5, "7 fields, the header has 6"),
    "unclosed quote": (tekst(4, '"Husleje'), 5, "never closed"),
    "stray quote": (tekst(4, '"Husleje"januar'), 5, "is not doubled"),
    "no such day": (field(4, 0, "31-02-2018"), 5, "Dato '31-02-2018' is not a date"),
    "year out of range": (field(4, 0, "14-02-0218"), 5, "not within the years 1900-2999"),
    "out of date order": (field(2, 0, "20-02-2018"), 4, "out of date order with line 3"),
    "amount NaN": (field(4, 3, "NaN"), 5, "'NaN' is not a Danish amount"),
    "reference with a line break": (field(4, 5, '"REF\nX"'), 5, "holds a control character"),
}


def books(ledger: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in ledger.parent.rglob("*.beancount")}


@pytest.mark.parametrize(("change", "line", "message"), CATALOGUE.values(), ids=CATALOGUE)
def test_import__a_malformed_statement_of_any_shape_is_refused_with_its_line(
    example_copy: Path, tmp_path: Path, change: Change, line: int, message: str
) -> None:
    before = books(example_copy)
    statement = tmp_path / "aarhus-2018-02.csv"
    statement.write_bytes(change(statement_lines(example_copy, AARHUS, *FEB)))
    code, out, err = run(example_copy, statement)
    assert (code, out) == (2, ""), err
    assert err.startswith(f"grantpool: {statement}:{line}: "), err
    assert message in err and err.endswith("the statement was not imported\n")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert books(example_copy) == before


@pytest.mark.parametrize(
    ("row", "index", "value", "column"),
    [
        (3, 2, f"Overførsel {CPR}", "column 3 (Tekst)"),
        (5, 5, CPR.replace("-", ""), "column 6 (Reference)"),
        (2, 1, CPR, "column 2 (Valør)"),
        (4, 6, CPR, "column 7"),
        (0, 2, CPR, "column 3"),
    ],
    ids=["Tekst", "Reference", "Valør", "a column the header does not name", "the header"],
)
def test_import__a_cpr_like_number_in_any_column_is_refused_without_repeating_it(
    example_copy: Path, tmp_path: Path, row: int, index: int, value: str, column: str
) -> None:
    before = books(example_copy)
    rows = statement_lines(example_copy, AARHUS, *FEB)
    fields = [*rows[row].split(";"), ""]
    fields[index] = value
    rows[row] = ";".join(fields[:max(index + 1, 6)])
    statement = tmp_path / "aarhus-2018-02.csv"
    statement.write_bytes(text(rows))
    code, out, err = run(example_copy, statement)
    assert (code, out) == (2, "")
    assert err.startswith(f"grantpool: {statement}:{row + 1}: {column} holds a CPR-like number")
    assert "010190" not in err and err.count("\n") == 1
    assert books(example_copy) == before
