"""Running ``grantpool scheduled`` in a test, and reading the status it leaves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from grantpool.cli import main

TODAY = "2026-01-05"


def run(ledger: Path, config: Path, today: str = TODAY) -> tuple[Result, dict[str, Any]]:
    """The run's result and its ``status.json`` (empty if none was written)."""
    result = CliRunner().invoke(main, ["scheduled", str(ledger), "--config", str(config),
                                       "--as-of", today])
    path = config.parent / "state" / "status.json"
    return result, json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
