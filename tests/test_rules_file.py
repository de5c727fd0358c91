"""Bad rules files: a clear error naming file, line and rule; check exits 2; the
plugin reports it and never crashes the load (nor Fava)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from grantpool.rules.engine import load
from tests.conftest import RULES
from tests.rulebooks import books
from tests.ruletools import custom_rules, line_of

CITIZEN_CAP = """    level: citizen                     # amount: the pool's course.drawing_right
    warn_at: 0.8"""

PROJECT = "    level: project                     # start, end: the pool's project_period\n"

CASES = [
    ("unknown kind", ("kind: lapse\n", "kind: lapsed\n"), "kind: lapsed",
     "rule 'lapse': unknown kind 'lapsed'; use one of"),
    ("missing field", ("    within_days: 30\n", ""), "id: return-to-grant",
     "rule 'return-to-grant': missing field 'within_days'"),
    ("mistyped field", ("within_days: 30", "within_days: thirty"), "within_days: thirty",
     "rule 'return-to-grant': 'within_days' must be a whole number"),
    ("misspelt field", ("    pattern: cpr\n", "    patern: cpr\n"), "patern",
     "rule 'cpr': unknown field 'patern' for kind privacy"),
    ("bad date", (PROJECT, "    level: project\n    start: 2017-02-30\n"), "start: 2017-02-30",
     "rule 'project-period': 'start' must be a date written YYYY-MM-DD"),
    ("unknown level", ("level: grant_line", "level: county"), "level: county",
     "rule 'grant-line-overdraw': 'level' must be one of pool, tranches, grant"),
    ("wrong currency", (CITIZEN_CAP, CITIZEN_CAP + "\n    amount: 50000.00 EUR"), "50000.00 EUR",
     "rule 'citizen-cap': 'amount' is in EUR, but the pool's currency is DKK"),
    ("bad severity", ("    severity: warning\n", "    severity: fatal\n"), "severity: fatal",
     "rule 'grant-started': severity must be error or warning"),
    ("malformed YAML", ("  - id: lapse\n", "  - id: lapse\n  oops: [\n"), "oops",
     "malformed YAML"),
]


@pytest.mark.parametrize(("name", "replace", "needle", "message"), CASES,
                         ids=[c[0] for c in CASES])
def test_rules_file__error_names_file_line_and_rule(
    tmp_path: Path, name: str, replace: tuple[str, str], needle: str, message: str
) -> None:
    path = custom_rules(tmp_path, replace=replace)
    ruleset, errors = load(path)
    assert ruleset is None
    matching = [e for e in errors if message in e.message]
    assert matching, errors
    assert matching[0].source["filename"] == str(path)
    assert abs(matching[0].source["lineno"] - line_of(path, needle)) <= 1


def test_rules_file__check_exits_2_and_plugin_reports_it(
    tmp_path: Path, write_doc: Callable[[str], Path], load_doc: Callable[[str], Any]
) -> None:
    path = custom_rules(tmp_path, replace=("kind: lapse\n", "kind: lapsed\n"))
    ledger = write_doc(books(rules=path))
    result = CliRunner().invoke(main, ["check", str(ledger)])
    assert result.exit_code == 2
    assert f"{path}:{line_of(path, 'kind: lapsed')}: error: [rules-file]" in result.stderr
    assert "unknown kind 'lapsed'" in result.stderr
    _, errors, _ = load_doc(books(rules=path))
    assert [type(e).__name__ for e in errors] == ["RulesFileError"]


def test_rules_file__missing_rules_file_is_reported_not_raised(
    tmp_path: Path, load_doc: Callable[[str], Any]
) -> None:
    _, errors, _ = load_doc(books(rules=tmp_path / "nowhere.yaml"))
    [error] = errors
    assert "cannot read" in error.message and "nowhere.yaml" in error.source["filename"]


def test_rules_file__is_added_to_the_loaders_include_list(
    load_doc: Callable[[str], Any],
) -> None:
    _, _, options = load_doc(books(rules=RULES / "dk2017.yaml"))
    assert str((RULES / "dk2017.yaml").resolve()) in options["include"]
