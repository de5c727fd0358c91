"""``grantpool check``: exit codes, text and JSON, each finding with file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from tests.conftest import EXAMPLE


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_check__example_books_are_clean() -> None:
    code, out, _ = run(str(EXAMPLE / "main.beancount"), "--as-of", "2020-12-31")
    assert code == 0
    assert out.strip().endswith("0 error(s), 0 warning(s)")


def test_check__json_shape_is_the_shared_one() -> None:
    code, out, _ = run(str(EXAMPLE / "main.beancount"), "--as-of", "2020-12-31",
                       "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc == {"ledger": str(EXAMPLE / "main.beancount"), "as_of": "2020-12-31",
                   "ok": True, "findings": []}


def _break_first_balance(main_file: Path) -> tuple[Path, int]:
    muni = main_file.parent / "municipalities" / "kolding" / "books.beancount"
    lines = muni.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines)
                 if " balance " in line and not line.rstrip().endswith(" 0.00 DKK"))
    head, amount, currency = lines[index].rsplit(maxsplit=2)
    lines[index] = f"{head} {Decimal(amount) + 1} {currency}\n"
    muni.write_text("".join(lines), encoding="utf-8")
    return muni, index + 1


def test_check__broken_balance_assertion_exits_1_naming_file_and_line(example_copy: Path) -> None:
    muni, lineno = _break_first_balance(example_copy)
    code, out, _ = run(str(example_copy), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    [finding] = doc["findings"]
    assert finding["rule"] == "beancount" and finding["severity"] == "error"
    assert finding["source"] == {"filename": str(muni), "lineno": lineno}
    assert finding["account"] == "Assets:Municipality:Kolding:Bank"
    assert "Balance failed" in finding["message"]


def test_check__text_output_names_file_and_line(example_copy: Path) -> None:
    muni, lineno = _break_first_balance(example_copy)
    code, out, _ = run(str(example_copy))
    assert code == 1
    assert f"{muni}:{lineno}: error: [beancount] Balance failed" in out
    assert out.strip().endswith("1 error(s), 0 warning(s)")


def test_check__syntax_error_is_a_finding_with_its_line(
    write_doc: Callable[[str], Path],
) -> None:
    path = write_doc("""
        2020-01-01 open Assets:Cash DKK
        2020-01-02 * "Decimal comma is refused"
          Assets:Cash  1500,00 DKK
          Assets:Cash
    """)
    code, out, _ = run(str(path), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert any(f["source"]["lineno"] == 3 for f in doc["findings"])


def test_check__missing_file_exits_2_with_one_line_on_stderr(tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "nope.beancount"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such file" in err


def test_check__not_utf8_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.beancount"
    path.write_bytes('2020-01-01 open Assets:Kasse DKK ; K\xf8ge\n'.encode("latin-1"))
    code, _, err = run(str(path))
    assert code == 2 and "not UTF-8" in err


def test_check__a_directory_is_not_books(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path))
    assert code == 2 and "not a file" in err


def test_check__bad_date_option_is_a_usage_error() -> None:
    code, _, err = run(str(EXAMPLE / "main.beancount"), "--as-of", "31-12-2020")
    assert code == 2 and "--as-of" in err


@pytest.mark.parametrize("as_of", ["2018-03-01", "2018-12-31", "2019-12-31", "2020-06-30"])
def test_check__example_books_have_no_error_at_any_stage(as_of: str) -> None:
    code, out, _ = run(str(EXAMPLE / "main.beancount"), "--as-of", as_of, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True
    assert all(f["severity"] == "warning" for f in doc["findings"])
