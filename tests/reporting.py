"""``grantpool report --format json`` on the example books, for comparing pages with it;
and the figure walk: the postings behind each figure's link, summed by Fava."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fava.core import FavaLedger, FilteredLedger

from grantpool.cli import main
from grantpool.figures.levels import figures
from grantpool.figures.links import Link, links
from grantpool.figures.report import Row
from grantpool.rules.pooldef import PoolDef
from tests.conftest import EXAMPLE


def report(level: str, as_of: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["report", str(EXAMPLE / "main.beancount"), "--level",
                                       level, "--as-of", as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


# --- the figure walk: the postings behind each figure's link, summed by Fava -----------

SYNTHETIC = frozenset("STC")  # opening balances, transfers, conversions a time filter adds


def fava_ledger(path: Path) -> FavaLedger:
    """The books as Fava loads them (the real Beancount loader, the plugin, the rules)."""
    return FavaLedger(str(path))


def linked_sum(ledger: FavaLedger, link: Link, currency: str = "DKK") -> Decimal:
    """What the postings behind *link* sum to, read the way Fava's page reads them: the
    account page's changes (sub-accounts included) under the link's filter and time
    filter, or the ``position`` column of the query page's result."""
    filtered = FilteredLedger(ledger, filter=link.filter or None, time=link.time or None)
    if link.query:
        cursor = ledger.query_shell.shell.run(filtered.entries_with_all_prices, link.query)
        assert not isinstance(cursor, str), cursor
        column = [c.name for c in cursor.description].index("position")
        return sum((row[column].units.number for row in cursor), Decimal(0))
    total = Decimal(0)
    for _, entry, change, _ in ledger.account_journal(filtered, link.account, "units",
                                                      with_children=True):
        if getattr(entry, "flag", None) not in SYNTHETIC:
            total += change.get(currency, Decimal(0))
    return total


def walk_rows(ledger: FavaLedger, found: list[Row], pool: PoolDef,
              as_of: datetime.date) -> list[str]:
    """Every figure of every row whose linked postings do not sum to it, as text."""
    wrong = []
    levels = figures(list(ledger.all_entries), as_of)
    for row in found:
        for name, link in links(row, pool, as_of).items():
            figure = getattr(row, name, None)
            if figure is None:  # the pool page's own: appropriation, kept share, …
                figure = getattr(levels, name)
            total = linked_sum(ledger, link, pool.currency)
            if total != figure:
                wrong.append(f"{row.level} {row.municipality or ''} {row.citizen or ''} "
                             f"{name} {figure} != {total} ({link})")
    return wrong
