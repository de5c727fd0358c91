"""A rules file's pool section: read when right, refused with file and line when wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from grantpool.cli import main
from grantpool.rules.pooldef import load_pool
from tests.conftest import RULES


def test_pool__dk2017_figures_come_from_the_rules_file() -> None:
    pool, errors = load_pool(RULES / "dk2017.yaml")
    assert errors == [] and pool is not None
    assert pool.appropriation == Decimal("10000000.00")
    assert pool.kept_share == Decimal("500000.00")
    assert pool.per_course == Decimal("95000.00")
    assert pool.window_months == 12
    assert pool.category("health_dental") is not None


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (RULES / "dk2017.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, line in enumerate(lines) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("  currency: DKK\n", "", "pool:", "missing field 'currency'"),
        ("appropriation: 10000000.00", "appropriation: ten million",
         "appropriation: ten", "'appropriation' must be a number"),
        ("application_deadline: 2017-10-23", "application_deadline: 2017-13-23",
         "application_deadline", "must be a date"),
        ("budget_window_months: 12", "budget_window_months: 12.5",
         "budget_window_months", "must be a whole number"),
        ("{start: 2017-12-01, end: 2019-12-31}", "{start: 2017-12-01, end: 2016-12-31}",
         "project_period", "ends (2016-12-31) before it starts"),
        ("price: [757, 757]", "price: 757", "id_docs", "price must be a list"),
        ("  name: \"Personlige", "  name: [\"Personlige", "name:", "malformed YAML"),
    ],
)
def test_pool__bad_rules_file_names_file_and_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    path = _broken(tmp_path, old, new)
    pool, errors = load_pool(path)
    assert pool is None
    assert any(message in e.message for e in errors), errors
    error = next(e for e in errors if message in e.message)
    assert error.source["filename"] == str(path)
    assert error.source["lineno"] >= _line_of(path, needle) - 1


def test_generate__bad_rules_file_exits_2_with_the_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "de_minimis: 500.00", "de_minimis: lots")
    out = tmp_path / "books"
    result = CliRunner().invoke(main, ["generate", "--rules", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{path}:{_line_of(path, 'de_minimis')}:" in result.stderr
    assert not out.exists()
