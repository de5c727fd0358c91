"""No CPR-looking input is repeated back: not by a command's error, not by a rule id."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

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
