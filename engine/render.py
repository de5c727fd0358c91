"""Report rows as text, JSON or CSV, the same bytes for the same books and day."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from engine.report import FIELDS, Row
from engine.rules.kinds.cap import Cap
from engine.rules.spec import RuleSet

TEXT_COLUMNS = ("municipality", "citizen", "granted", "committed", "spent", "returned",
                "remaining", "cap", "share_of_cap", "window_start", "window_end", "status")


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
