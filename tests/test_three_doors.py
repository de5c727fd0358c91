"""One finding, three doors: bean-check, Fava's /api/errors and grantpool check
show the same rule id at the same file and line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from fava.application import create_app

from grantpool.cli import main
from tests.rulebooks import books, purchase
from tests.ruletools import custom_rules, line_of

OVER = purchase("2018-07-01", "50000.01", narration="Over the cap",
                meta='\n  approval: "LEJ-2018-9"')


def test_doors__bean_check_fava_and_check_agree(write_doc: Callable[[str], Path]) -> None:
    ledger = write_doc(books(OVER))
    line = line_of(ledger, "Over the cap")

    bean = subprocess.run([sys.executable, "-m", "beancount.scripts.check", str(ledger)],
                          capture_output=True, text=True, check=False)
    assert bean.returncode == 1
    assert f"{ledger}:{line}:" in bean.stderr and "error [citizen-cap]" in bean.stderr

    app = create_app([ledger], load=True)
    response = app.test_client().get("/rule-test/api/errors")
    assert response.status_code == 200
    [error] = response.get_json()["data"]
    assert error["source"]["lineno"] == line and error["type"] == "RuleError"
    assert error["message"].startswith("error [citizen-cap]")

    result = CliRunner().invoke(main, ["check", str(ledger), "--as-of", "2018-12-31",
                                       "--format", "json"])
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["severity"]) == ("citizen-cap", "error")
    assert finding["source"] == {"filename": str(ledger), "lineno": line}
    assert finding["date"] == "2018-07-01"


def test_doors__warnings_are_told_from_errors(write_doc: Callable[[str], Path]) -> None:
    ledger = write_doc(books(purchase("2018-07-01", "45000.00", meta='\n  approval: "A-1"')))
    app = create_app([ledger], load=True)
    [error] = app.test_client().get("/rule-test/api/errors").get_json()["data"]
    assert error["type"] == "RuleWarning" and error["message"].startswith("warning [citizen-cap]")
    result = CliRunner().invoke(main, ["check", str(ledger), "--as-of", "2018-12-31"])
    assert result.exit_code == 0
    assert ": warning: [citizen-cap] P-LEJ-001: 90 % of 50000.00 used" in result.stdout


def test_doors__bad_rules_file_never_crashes_fava(
    tmp_path: Path, write_doc: Callable[[str], Path]
) -> None:
    rules = custom_rules(tmp_path, replace=("level: grant_line", "level: county"))
    ledger = write_doc(books(rules=rules))
    client = create_app([ledger], load=True).test_client()
    assert client.get("/rule-test/income_statement/").status_code == 200
    [error] = client.get("/rule-test/api/errors").get_json()["data"]
    assert error["type"] == "RulesFileError"
    assert error["source"] == {"filename": str(rules), "lineno": line_of(rules, "county")}
