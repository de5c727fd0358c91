"""What makes the pages fast keeps them the same: the pool's citizen page reads the
citizen's lines from the municipality's own ledger when the same Fava serves it (loaded
already), the same lines as the roll-up loads on its own, and follows that ledger's files
when they change; a page viewed again (its figures kept) follows a change of the books."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from fava.application import create_app

from tests.test_fava_ext import cells, page
from tests.test_federation_serve import MUNICIPALITIES, POOL, at, main_files

KOLDING = MUNICIPALITIES["Kolding"]


def statement(text: str) -> list[tuple[str, ...]]:
    """The statement's rows as a reader sees them: each cell's text, links left out."""
    table = re.search(r'<table class="gp-statement">(.*?)</table>', text, re.S)
    assert table, "no statement"
    return [tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                  for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table[1], re.S)]


def served(folder: Path, without: str | None = None) -> Any:
    """Fava serving the federation as ``grantpool serve`` does, less the ledger whose
    folder is *without*."""
    files = [f for f in main_files(folder) if without is None or f.parent.name != without]
    return create_app(files, load=True, poll_watcher=True).test_client()


def test_pages_speed__pool_citizen_lines_are_the_same_from_the_served_ledger(
    example_copy: Path,
) -> None:
    folder = example_copy.parent
    query = "?page=citizen&name=P-KOL-001&lang=en"
    beside = page(served(folder), query, base=at(POOL))
    alone = page(served(folder, without="kolding"), query, base=at(POOL))
    assert statement(beside) == statement(alone) and len(statement(beside)) > 5
    assert f"/{KOLDING}/editor/" in beside and f"/{KOLDING}/" not in alone


def test_pages_speed__pool_citizen_page_follows_the_municipalitys_files(
    example_copy: Path,
) -> None:
    client = served(example_copy.parent)
    query = "?page=citizen&name=P-KOL-002&lang=en"
    before = statement(page(client, query, base=at(POOL)))
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a", encoding="utf-8") as books:
        books.write('\n2018-12-01 * "Purchase: clothing" #purchase\n'
                    "  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK\n"
                    "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-002:Available  -1.00 DKK\n")
    after = statement(page(client, query, base=at(POOL)))
    assert len(after) == len(before) + 1
    assert next(row for row in after if row not in before)[:2] == ("2018-12-01", "purchase")


def test_pages_speed__a_page_viewed_again_follows_the_books(example_copy: Path) -> None:
    client = served(example_copy.parent)
    base = at(KOLDING)
    first = cells(page(client, "?lang=en", base=base), "data-citizen")
    assert cells(page(client, "?lang=en", base=base), "data-citizen") == first
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a", encoding="utf-8") as books:
        books.write('\n2018-12-01 * "Purchase: clothing" #purchase\n'
                    "  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK\n"
                    "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-002:Available  -1.00 DKK\n")
    again = cells(page(client, "?lang=en", base=base), "data-citizen")
    assert again["P-KOL-002"]["spent"] == first["P-KOL-002"]["spent"] + 1
    assert again["P-KOL-001"] == first["P-KOL-001"]
