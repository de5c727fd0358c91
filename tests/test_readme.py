"""The README's stories, run as written: each shell block is read from README.md itself
and executed by bash with the installed ``grantpool`` on PATH, in a temporary folder
holding only what the story says it starts from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

README = REPO / "README.md"


def shell_block(heading: str) -> str:
    """The first ``sh`` block after *heading* in README.md."""
    text = README.read_text(encoding="utf-8")
    start = text.index(heading)
    found = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    assert found, f"no sh block after {heading!r}"
    return found.group(1)


def run_story(block: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def test_readme__the_whole_trial_from_empty_books_runs_as_written(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    done = run_story(shell_block("### The whole trial from empty books"), tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "OK: every level ties" in done.stdout
    accounts = (tmp_path / "trial" / "accounts" / "lejre-period.csv").read_text(encoding="utf-8")
    assert "Tilbagebetaling,83110.00" in accounts  # dk2017: the ministry's Danish terms
    assert (tmp_path / "trial" / "ledger" / "rules.yaml").is_file()


def test_readme__an_auditors_session_runs_as_written(tmp_path: Path) -> None:
    for folder in ("ledger", "rules", "examples"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    aarhus = tmp_path / "ledger" / "municipalities" / "aarhus" / "books.beancount"
    before = aarhus.read_bytes()
    done = run_story(shell_block("### An auditor's session"), tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "nothing new: the books already hold this statement" in done.stdout
    assert aarhus.read_bytes() == before
    assert (tmp_path / "municipalities.csv").read_text(encoding="utf-8").startswith("level,")
    assert (tmp_path / "accounts" / "aarhus-period.xlsx").is_file()
    assert '"ok": true' in (tmp_path / "check.json").read_text(encoding="utf-8")
