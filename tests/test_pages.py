"""The Grant pool pages as an officer reads them, through Fava's Flask test client:
rows that add up, a totals row that ties to the cards, money kept under the
de-minimis never called returned, category names from the rules file with the code
in a tooltip, the days budgets stopped, each budget's pace, the account filter on
every figure, and the page's language."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fava.application import create_app

from tests.conftest import EXAMPLE
from tests.reporting import report
from tests.test_fava_ext import BASE, amount, cells, figure, page

KEYS = ("granted", "spent", "committed", "returned", "kept", "remaining")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    app = create_app([(EXAMPLE / "main.beancount").resolve()], load=True)
    yield app.test_client()


def totals(text: str, name: str) -> dict[str, Decimal]:
    [body] = re.findall(rf'<tr data-totals="{name}">(.*?)</tr>', text, re.S)
    return {k: Decimal(v) for v, k in re.findall(r'data-value="([^"]+)" data-key="(\w+)"', body)}


@pytest.mark.parametrize("query", ["", "?time=2019", "?time=2018-06"])
def test_pages__totals_row_is_the_sum_of_the_rows_and_ties_to_the_cards(
    client: Any, query: str
) -> None:
    text = page(client, query)
    rows, total = cells(text, "data-municipality"), totals(text, "municipalities")
    for key in KEYS:
        assert total[key] == sum(r[key] for r in rows.values()), key
        assert figure(text, f"total-{key}") == total[key], key
    for name, row in rows.items():  # each row adds up on screen
        parts = row["spent"] + row["committed"] + row["returned"] + row["kept"]
        assert row["granted"] == parts + row["remaining"], name


def test_pages__lejre_keeps_430_under_the_de_minimis_and_returns_nothing(client: Any) -> None:
    text = page(client)
    lejre = cells(text, "data-municipality")["Lejre"]
    assert lejre["kept"] == Decimal("430.00") and lejre["returned"] == 0
    assert figure(text, "total-returned") == figure(text, "pool-returned")  # repaid = received
    assert "beholdt (bagatelgrænse) · 430" in text
    muni = page(client, "?page=municipality&name=Lejre")
    assert figure(muni, "kept") == Decimal("430.00") and figure(muni, "returned") == 0
    assert "account/Expenses:Municipality:Lejre:Retained/?filter=&amp;time=" in muni


def test_pages__returned_column_matches_the_report(client: Any) -> None:
    rows = cells(page(client), "data-municipality")
    for row in report("municipality", "2026-01-01"):
        shown = rows[row["municipality"]]
        given_back = Decimal(row["returned"]) + Decimal(row.get("kept", "0"))
        assert shown["returned"] + shown["kept"] == given_back


@pytest.mark.parametrize("query", ["", "&time=2018-09"])
def test_pages__citizens_table_shows_what_each_returned_and_every_row_adds_up(
    client: Any, query: str
) -> None:
    text = page(client, f"?page=municipality&name=Halsnæs{query}")
    rows, total = cells(text, "data-citizen"), totals(text, "citizens")
    assert rows["P-HAL-003"]["returned"] == Decimal("16129.00")  # moved out, returned the rest
    day = "2018-09-30" if query else "2026-01-01"
    reported = {r["citizen"]: Decimal(r["returned"]) for r in report("citizen", day)
                if r["municipality"] == "Halsnæs"}
    for pid, row in rows.items():
        assert row["returned"] == reported[pid], pid
        assert row["granted"] == (row["spent"] + row["committed"] + row["returned"]
                                  + row["remaining"]), pid
    for key in ("granted", "committed", "spent", "returned", "remaining"):
        assert total[key] == sum(r[key] for r in rows.values()), key


def test_pages__categories_are_named_from_the_rules_file_with_the_code_in_a_tooltip(
    client: Any,
) -> None:
    danish = page(client, "?page=citizen&name=P-KOL-001")
    assert '<span class="gp-category" title="health_glasses">Briller</span>' in danish
    english = page(client, "?page=citizen&name=P-KOL-001&lang=en")
    assert '<span class="gp-category" title="health_glasses">Glasses</span>' in english
    for text in (danish, english):  # the code only in tooltips (title), never as a name
        assert "comms_phone</span>" not in text and "comms_phone</text>" not in text
        assert "<title>comms_phone</title>Mobil" in text or "<title>comms_phone</title>" in text


def test_pages__moved_out_date_shows_on_the_citizen_page_timeline_and_table(
    client: Any,
) -> None:
    text = page(client, "?page=citizen&name=P-HAL-003")
    assert re.search(r'data-figure="stop-moved_out">30-05-2018<', text)
    assert 'class="gp-stop" data-stop="moved_out"' in text  # the timeline's marker
    assert "Fraflyttet 30-05-2018" in text
    assert re.search(r'<tr class="gp-stop-row" data-stop="moved_out"><td[^>]*>30-05-2018', text)
    table = page(client, "?page=municipality&name=Halsnæs")
    row = re.search(r'<tr data-citizen="P-HAL-003">(.*?)</tr>', table, re.S)
    assert row and 'data-stop="moved_out">30-05-2018<' in row[1]


def test_pages__excluded_citizens_show_the_day_of_exclusion(client: Any) -> None:
    text = page(client, "?page=citizen&name=P-AAR-002&lang=en")
    assert re.search(r'data-figure="stop-excluded">\d{4}-\d\d-\d\d<', text)
    assert "Excluded" in text and 'data-stop="excluded"' in text


def test_pages__each_budget_shows_its_pace_against_its_window(client: Any) -> None:
    text = page(client, "?page=municipality&name=Kolding&time=2018-09")
    paces = dict(re.findall(r'<tr data-citizen="([^"]+)">.*?data-used="([^"]+)" '
                            r'data-elapsed="[^"]+"', text, re.S))
    rows = {r["citizen"]: r for r in report("citizen", "2018-09-30")
            if r["municipality"] == "Kolding" and r["status"] == "active"}
    assert rows and set(rows) <= set(paces)
    for pid, row in rows.items():
        used = (Decimal(row["spent"]) + Decimal(row["committed"])) / Decimal(row["granted"])
        assert Decimal(paces[pid]) == (used * 100).quantize(Decimal("0.1")), pid
    first = re.search(r'data-citizen="P-KOL-001">.*?data-elapsed="([^"]+)"', text, re.S)
    assert first and Decimal("0") < Decimal(first[1]) <= Decimal("100")


def test_pages__account_filter_narrows_the_cards_too(client: Any) -> None:
    text = page(client, "?account=Assets:Municipality:Lejre")
    assert list(cells(text, "data-municipality")) == ["Lejre"]
    [lejre] = [r for r in report("municipality", "2026-01-01") if r["municipality"] == "Lejre"]
    assert figure(text, "total-granted") == Decimal(lejre["granted"])
    assert figure(text, "total-spent") == Decimal(lejre["spent"])
    assert 'data-figure="pool-granted"' not in text  # the pool's own cards are left out
    assert "Kontofilteret viser 1 af 4 kommuner" in text
    assert "Lejre · 2.375.000" in text and "Aarhus · 2.375.000" not in text  # the Sankey


def test_pages__dk2017_reads_in_danish_and_switches_to_english(client: Any) -> None:
    danish = page(client, "?time=2019")
    assert 'lang="da"' in danish and "Kommunernes tilskud" in danish
    assert re.search(r"<span class=\"gp-num\">9\.500\.000,00</span>", danish)
    english = page(client, "?time=2019&lang=en")
    assert 'lang="en"' in english and "The municipalities&#39; grants" in english
    assert re.search(r"<span class=\"gp-num\">9,500,000.00</span>", english)
    links = re.findall(r'href="([^"]*page=municipality[^"]*)"', english)
    assert links and all("lang=en" in html.unescape(link) for link in links)  # it stays


def test_pages__uk2009_reads_in_english() -> None:
    app = create_app([(EXAMPLE / "examples" / "uk2009" / "main.beancount").resolve()],
                     load=True)
    text = page(app.test_client(), "", base="/grant-pool-uk2009/extension/GrantPool/")
    assert 'lang="en"' in text and "Municipalities" in text
    granted = re.search(r'data-figure="total-granted"><span class="gp-num">([^<]+)<', text)
    assert granted and amount(granted[1], "en") == Decimal("45000.00")


def test_pages__books_set_favas_locale_so_its_pages_print_thousands(client: Any) -> None:
    text = page(client, "", base="/grant-pool-dk2017/income_statement/")
    assert '"locale":"da_DK"' in text  # Fava formats its own numbers 1.785.409,00


def test_pages__unknown_names_say_so_in_the_pages_language(client: Any) -> None:
    assert "Ingen kommune &#39;Roskilde&#39;." in page(client, "?page=municipality&name=Roskilde")
    assert "No citizen &#39;P-NONE&#39;." in page(client, "?page=citizen&name=P-NONE&lang=en")
    assert BASE.endswith("/GrantPool/")


def test_pages__a_time_filter_fava_cannot_read_shows_the_pages_as_of_today(
        client: Any) -> None:
    answer = client.get("/grant-pool-dk2017/extension/GrantPool/?time=garbage")
    assert answer.status_code == 200
    assert 'data-page="pool"' in answer.get_data(as_text=True)
