"""No CPR-looking input is repeated back: not by a command's error, not by a rule id."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fava.application import create_app

from grantpool.cli import main
from tests.conftest import EXAMPLE, RULES

SYNTHETIC_CPR = "010190-1234"


def test_privacy__accounts_for_a_cpr_like_name_says_so_without_repeating_it(
        tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["accounts", SYNTHETIC_CPR, "--period", "--ledger",
                                       str(EXAMPLE / "main.beancount"), "--out",
                                       str(tmp_path)])
    assert result.exit_code == 2 and "CPR-like number removed" in result.stderr
    assert SYNTHETIC_CPR not in result.output + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_privacy__a_rule_id_holding_a_cpr_like_number_is_refused(tmp_path: Path) -> None:
    text = (RULES / "dk2017.yaml").read_text(encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace("- id: lapse\n", f"- id: cpr-{SYNTHETIC_CPR}\n", 1),
                     encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "--rules", str(rules), "--out",
                                       str(tmp_path / "books")])
    assert result.exit_code == 2 and "the id holds a CPR-like number" in result.stderr
    assert SYNTHETIC_CPR not in result.output + result.stderr


def test_privacy__the_citizen_page_for_a_cpr_like_name_does_not_repeat_it() -> None:
    client = create_app([str(EXAMPLE / "main.beancount")], load=True).test_client()
    text = client.get("/grant-pool-dk2017/extension/GrantPool/?page=citizen&name="
                      + SYNTHETIC_CPR).get_data(as_text=True)
    assert SYNTHETIC_CPR not in text and "CPR-like number removed" in text


def test_messages__a_missing_statement_is_named_without_a_line_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", str(tmp_path / "aarhus-2018-02.csv"),
                                       "--ledger", str(EXAMPLE / "main.beancount")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'aarhus-2018-02.csv'}: cannot read it" in result.stderr
    assert ".csv:0:" not in result.stderr
