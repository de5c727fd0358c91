"""What a scheduled run leaves behind in its state folder:

* ``status.json``: this run's findings and summary (replaced atomically; written first
  as "started" so that a run killed half-way says so, and so that a folder that takes no
  writes is found before anything is mailed);
* ``history.jsonl``: one line per run, appended, to see changes between runs;
* ``mailed.json``: for each finding's key, whom it was mailed to (``ministry``,
  ``municipality:<name>``, or ``none`` when nobody is to be mailed), rewritten atomically
  after every message the server accepts, so none is mailed twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grantpool.generate.writer import write_atomic

Sent = dict[str, set[str]]  # finding key -> the targets it was mailed to


def mailed(folder: Path) -> Sent:
    """The memory of what was mailed; a damaged or older one mails again rather than never."""
    path = folder / "mailed.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    sent = doc.get("sent") if isinstance(doc, dict) else None
    if not isinstance(sent, dict):
        return {}
    return {str(k): {str(t) for t in v} for k, v in sent.items() if isinstance(v, list)}


def remember(folder: Path, sent: Sent) -> None:
    doc = {"format": 2, "sent": {k: sorted(v) for k, v in sorted(sent.items()) if v}}
    write_atomic(folder / "mailed.json", json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def write_status(folder: Path, status: dict[str, Any]) -> None:
    write_atomic(folder / "status.json", json.dumps(status, indent=2, ensure_ascii=False) + "\n")


def append_history(folder: Path, line: dict[str, Any]) -> None:
    with (folder / "history.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
