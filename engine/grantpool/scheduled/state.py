"""What a scheduled run leaves behind in its state folder:

* ``status.json``: this run's findings and summary (replaced atomically each run);
* ``history.jsonl``: one line per run, appended, to see changes between runs;
* ``mailed.json``: the keys of the findings already mailed, so none is mailed twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grantpool.generate.writer import write_atomic


def mailed(folder: Path) -> set[str]:
    path = folder / "mailed.json"
    if not path.exists():
        return set()
    try:
        return set(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()  # a damaged memory mails again rather than never


def remember(folder: Path, keys: set[str]) -> None:
    write_atomic(folder / "mailed.json", json.dumps(sorted(keys), indent=1) + "\n")


def write_status(folder: Path, status: dict[str, Any]) -> None:
    write_atomic(folder / "status.json", json.dumps(status, indent=2, ensure_ascii=False) + "\n")


def append_history(folder: Path, line: dict[str, Any]) -> None:
    with (folder / "history.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
