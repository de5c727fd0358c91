"""README's fault table says how many faults each catalogue tries: it must stay true."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO


def collected(files: list[str]) -> dict[str, int]:
    """How many tests pytest collects in each of *files* (one collection for all)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", *files], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)
    ids = [line.split("::", 1)[0] for line in done.stdout.splitlines() if "::" in line]
    return {name: ids.count(name) for name in files}


def test_fault_table__every_row_counts_the_tests_of_its_files() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text[text.index("### The fault table"):text.index("## Scheduled checks")]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 6
    named = {row: re.findall(r"`(tests/test_[a-z_]+\.py)`", row) for row in rows}
    counts = collected(sorted({f for files in named.values() for f in files}))
    for row, files in named.items():
        tests, changed = (cell.strip() for cell in row.strip("|").split("|")[-2:])
        assert int(tests) == sum(counts[f] for f in files) > 0, row
        assert changed == "0"
