"""Helpers for the rule tests (no tests here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import RULES
from tests.rulebooks import RULES_NO_BANK


def findings(loaded: Any) -> list[Any]:
    """The rules' findings of a load (loader errors would fail the test)."""
    _, errors, _ = loaded
    other = [e for e in errors if not hasattr(e, "rule")]
    assert other == [], other
    return list(errors)


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, line in enumerate(lines) if needle in line)


def custom_rules(tmp_path: Path, extra: str = "", replace: tuple[str, str] | None = None,
                 no_bank: bool = True) -> Path:
    """dk2017.yaml (by default less its bank rule) with rules appended and/or a text replaced."""
    text = (RULES_NO_BANK if no_bank else RULES / "dk2017.yaml").read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(replace[0], replace[1], 1)
    path = tmp_path / "custom.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path
