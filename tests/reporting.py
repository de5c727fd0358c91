"""``grantpool report --format json`` on the example books, for comparing pages with it."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from grantpool.cli import main
from tests.conftest import EXAMPLE


def report(level: str, as_of: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["report", str(EXAMPLE / "main.beancount"), "--level",
                                       level, "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))
