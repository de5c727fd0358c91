"""Report rows as text, JSON or CSV, the same bytes for the same books and day."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

from grantpool.audit.reconcile import Node
from grantpool.figures.report import FIELDS, Row
from grantpool.rules.kinds.cap import Cap
from grantpool.rules.spec import RuleSet

TEXT_COLUMNS = ("municipality", "citizen", "granted", "committed", "spent", "returned",
                "kept", "remaining", "cap", "share_of_cap", "window_start", "window_end", "status")


def render_tree(tree: Node, ledger: Path, as_of: datetime.date) -> str:
    """The reconciliation as an indented tree; citizens shown only where they do not tie."""
    lines: list[str] = []
    _node_lines(tree, 0, lines)
    verdict = "OK: every level ties" if tree.ok else "FAILED: something does not tie"
    lines.append(f"{verdict} ({ledger} as of {as_of})")
    return "\n".join(lines)


def _node_lines(node: Node, depth: int, lines: list[str]) -> None:
    if node.level == "citizen" and node.ok:
        return
    pad = "  " * depth
    lines.append(f"{pad}{node.level} {node.name}: {'ok' if node.ok else 'DOES NOT TIE'}")
    for check in node.checks:
        mark = "ok " if check.ok else "!! "
        lines.append(f"{pad}  {mark}{check.name}: expected {check.expected}, found "
                     f"{check.found}, difference {check.difference}"
                     + (f" ({check.note})" if check.note else ""))
        for entry in check.entries:
            meta = getattr(entry, "meta", None) or {}
            lines.append(f"{pad}     {meta.get('filename')}:{meta.get('lineno')}: "
                         f"{entry.date} {getattr(entry, 'narration', '')}")
    tied = sum(1 for child in node.children if child.level == "citizen" and child.ok)
    if tied:
        lines.append(f"{pad}  ok {tied} citizen budget(s) tie")
    for child in node.children:
        _node_lines(child, depth + 1, lines)


def citizen_cap(rules: RuleSet) -> Decimal | None:
    """The citizen cap of the rules' first citizen-level cap rule, if it names one."""
    caps = [r for _, r in rules.rules if isinstance(r, Cap) and r.level == "citizen"]
    return caps[0].amount if caps else None


def render_rows(rows: list[Row], fmt: str) -> str:
    data = [row.to_json() for row in rows]
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
        return out.getvalue()
    table = [list(TEXT_COLUMNS)] + [["" if d[c] is None else str(d[c]) for c in TEXT_COLUMNS]
                                   for d in data]
    widths = [max(len(line[i]) for line in table) for i in range(len(TEXT_COLUMNS))]
    return "\n".join("  ".join(cell.rjust(w) if cell[:1].isdigit() else cell.ljust(w)
                               for cell, w in zip(line, widths, strict=True)).rstrip()
                     for line in table)
