"""A federation served by one Fava: the consolidated overview, the pool's own books and
each municipality's, each under its own slug.  Through Fava's Flask test client: every
entity's Grant pool page, the pool's roll-up against ``grantpool report`` on the
folder, a municipality's page keeping to its own citizens, the drill-downs summing in
the ledger they open; and ``grantpool serve <folder>`` in a real Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner
from fava.application import create_app

from grantpool.cli import main
from grantpool.federation import work
from grantpool.federation.discover import find
from grantpool.figures.links import Link
from tests.conftest import EXAMPLE
from tests.reporting import linked_sum
from tests.servers import free_port, serving
from tests.test_fava_ext import amount, cells, figure, page

POOL = "grant-pool-dk2017-pool"
CONSOLIDATED = "grant-pool-dk2017"
MUNICIPALITIES = {"Aarhus": "grant-pool-dk2017-aarhus", "Halsnæs": "grant-pool-dk2017-halsnæs",
                  "Kolding": "grant-pool-dk2017-kolding", "Lejre": "grant-pool-dk2017-lejre"}
PAGES = "/extension/GrantPool/"


def main_files(folder: Path) -> list[Path]:
    """What ``grantpool serve`` serves: the consolidated main file, then every entity's."""
    federation = find(folder)
    assert federation is not None and federation.consolidated is not None
    return [federation.consolidated.resolve(),
            *(entity.main.resolve() for entity in federation.entities)]


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(main_files(EXAMPLE), load=True)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[Any]:
    yield app.test_client()


def at(slug: str) -> str:
    return f"/{slug}{PAGES}"


def folder_report(level: str, as_of: str, folder: Path = EXAMPLE) -> list[dict[str, Any]]:
    """``grantpool report <folder> --level LEVEL --format json``: the roll-up as the CLI
    reads it, each entity's books loaded on their own."""
    result = CliRunner().invoke(main, ["report", str(folder), "--level", level, "--as-of",
                                       as_of, "--format", "json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_federation_serve__every_entitys_slug_answers_its_grant_pool_page(client: Any) -> None:
    for slug in (CONSOLIDATED, POOL):
        text = page(client, base=at(slug))
        assert 'data-page="pool"' in text, slug
    for name, slug in MUNICIPALITIES.items():
        text = page(client, base=at(slug))
        assert 'data-page="municipality"' in text, slug  # a municipality's books: its page
        assert re.search(rf"<h2>{name}: ", text), slug


def test_federation_serve__pool_page_rolls_up_every_municipality_as_the_report_does(
    client: Any,
) -> None:
    for query, day in (("?time=2019", "2019-12-31"), ("?time=2018-06", "2018-06-30")):
        text = page(client, query, base=at(POOL))
        rows = cells(text, "data-municipality")
        expected = folder_report("municipality", day)
        assert sorted(rows) == sorted(MUNICIPALITIES) == sorted(r["municipality"]
                                                                 for r in expected)
        for row in expected:
            shown = rows[row["municipality"]]
            assert shown["granted"] == Decimal(row["granted"]) > 0, row["municipality"]
            for key in ("committed", "spent", "remaining"):
                assert shown[key] == Decimal(row[key]), (row["municipality"], key)
            assert shown["returned"] + shown["kept"] == (Decimal(row["returned"])
                                                         + Decimal(row.get("kept", "0")))
        [pool] = folder_report("pool", day)
        for key in ("granted", "returned", "remaining"):
            assert figure(text, f"pool-{key}") == Decimal(pool[key]), key
        assert figure(text, "total-granted") == sum(Decimal(r["granted"]) for r in expected)
        assert text.count("<path") > 4 and '<svg class="gp-chart"' in text


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The main file of every entity whose books are loaded on their own (not read from a
    ledger Fava serves), as the loads happen: each is counted, then made."""
    found: list[Path] = []
    loaded_alone = work._open
    monkeypatch.setattr(work, "_open", lambda entity, *rest, **named: found.append(
        entity.main) or loaded_alone(entity, *rest, **named))
    return found


def test_federation_serve__a_time_filter_on_the_pool_reads_the_served_ledgers_not_books(
    example_copy: Path, opened: list[Path],
) -> None:
    # Fava's inotify watcher here (grantpool serve polls instead): either way the same
    client = create_app(main_files(example_copy.parent), load=True).test_client()
    text = page(client, "?time=2018-09", base=at(POOL))
    assert opened == []  # every entity's entries came from its ledger in this Fava
    rows = cells(text, "data-municipality")
    for row in folder_report("municipality", "2018-09-30", example_copy.parent):
        for key in ("granted", "committed", "spent", "remaining"):
            assert rows[row["municipality"]][key] == Decimal(row[key]), (row, key)
    # a change to a municipality's books is followed
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a", encoding="utf-8") as books:
        books.write('\n2018-09-10 * "Purchase: clothing" #purchase\n'
                    "  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK\n"
                    "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-002:Available  -1.00 DKK\n")
    after = cells(page(client, "?time=2018-09", base=at(POOL)), "data-municipality")
    assert after["Kolding"]["spent"] == rows["Kolding"]["spent"] + Decimal("1.00")
    # (from Kolding's ledger once reloaded, or from its books while the watcher has not
    # reported the change yet: never from the ledger's entries of before the change)


def test_federation_serve__books_a_ledger_could_not_read_whole_are_loaded_on_their_own(
    example_copy: Path, opened: list[Path],
) -> None:
    lejre = example_copy.parent / "municipalities" / "lejre" / "books.beancount"
    with lejre.open("a", encoding="utf-8") as books:
        books.write('\n2018-09-10 * "an unclosed string\n')  # Fava's ledger reads a part
    client = create_app(main_files(example_copy.parent), load=True).test_client()
    answer = client.get(f"{at(POOL)}?time=2018-09")
    assert answer.status_code == 200
    assert lejre.parent / "main.beancount" in opened  # not the part Fava's ledger holds


def test_federation_serve__the_pools_own_ledger_holds_no_municipalitys_books(app: Any) -> None:
    """The roll-up is read beside Fava, never loaded into the pool's ledger."""
    ledger = app.config["LEDGERS"][POOL]
    accounts = {p.account for e in ledger.all_entries for p in getattr(e, "postings", ())}
    assert accounts and not any(a.startswith("Assets:Municipality:") for a in accounts)
    assert any(a.startswith("Assets:Pool:Bank:Granted:") for a in accounts)


def test_federation_serve__aarhus_shows_aarhus_and_none_of_koldings_citizens(
    client: Any,
) -> None:
    whole = page(client, "?time=2019", base=at(MUNICIPALITIES["Aarhus"]))
    assert "P-KOL-" not in whole
    text = ours(whole)  # Fava's own header names the other ledgers, Kolding's too
    assert "<h2>Aarhus: " in text and "Kolding" not in text
    citizens = cells(text, "data-citizen")
    expected = {r["citizen"]: r for r in folder_report("citizen", "2019-12-31")
                if r["municipality"] == "Aarhus"}
    assert set(citizens) == set(expected) and all(c.startswith("P-AAR-") for c in citizens)
    for pid, row in expected.items():
        for key in ("granted", "committed", "spent", "remaining"):
            assert citizens[pid][key] == Decimal(row[key]), (pid, key)
    [aarhus] = [r for r in folder_report("municipality", "2019-12-31")
                if r["municipality"] == "Aarhus"]
    assert figure(text, "granted") == Decimal(aarhus["granted"]) > 0
    assert figure(text, "spent") == Decimal(aarhus["spent"])
    assert 'data-page="pool"' not in text and ">Pulje<" not in text  # no pool in its books
    assert "No citizen &#39;P-KOL-001&#39;." in page(
        client, "?page=citizen&name=P-KOL-001&lang=en", base=at(MUNICIPALITIES["Aarhus"]))
    received = tranches(text)
    assert received and sum(a for a, _ in received) == figure(text, "granted")  # all paid
    assert all("municipalities/aarhus/books.beancount" in h for _, h in received)


def test_federation_serve__pool_ledgers_municipality_page_shows_the_pools_tranches(
    client: Any,
) -> None:
    query = "?page=municipality&name=Kolding&time=2018-09"
    text = page(client, query, base=at(POOL))
    expected = [r for r in folder_report("citizen", "2018-09-30")
                if r["municipality"] == "Kolding"]
    assert len(cells(text, "data-citizen")) == len(expected) > 15
    paid = tranches(text)  # the pool's halves, in the pool's books
    received = tranches(page(client, query, base=at(MUNICIPALITIES["Kolding"])))
    assert paid and [a for a, _ in paid] == [a for a, _ in received]
    assert all(a > 0 and f"/{POOL}/editor/" in h and "/pool/books.beancount" in h
               for a, h in paid)


def ours(text: str) -> str:
    """The extension's part of a page (Fava's header and sidebar left out)."""
    start = text.index('<div class="gp"')
    return text[start:text.index('id="ledger-data"', start)]


def tranches(text: str) -> list[tuple[Decimal, str]]:
    """(amount, editor link) of each row of the page's tranches table."""
    [table] = re.findall(r'<table class="gp-tranches">(.*?)</table>', text, re.S)
    return [(amount(html.unescape(value)), html.unescape(href)) for href, value in
            re.findall(r'<a href="([^"]+)"><span class="gp-num">([^<]+)<', table)]


def drilled(text: str) -> list[tuple[str, Decimal, str]]:
    """(figure, value shown, link) for every drill-down on a page."""
    found = [(key, Decimal(value), href) for value, key, href in re.findall(
        r'data-value="([^"]+)" data-key="(\w+)"><a class="gp-drill" href="([^"]+)"', text)]
    found += [(key, amount(html.unescape(value)), href) for key, href, value in re.findall(
        r'data-figure="([\w-]+)"><a class="gp-drill" href="([^"]+)"[^>]*>'
        r'<span class="gp-num">([^<]+)<', text)]
    return [(key, value, html.unescape(href)) for key, value, href in found]


def href_sum(app: Any, href: str) -> tuple[str, Decimal]:
    """The ledger a drill-down opens, and what its postings sum to there, read with
    Fava's own filters (``tests.reporting.linked_sum``)."""
    url = urlsplit(href)
    slug, rest = unquote(url.path).strip("/").split("/", 1)
    args = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    if rest.startswith("account/"):
        link = Link(args.get("time", ""), rest.removeprefix("account/").rstrip("/"),
                    args.get("filter", ""))
    else:
        assert rest == "query", href
        link = Link(args.get("time", ""), query=args["query_string"])
    return slug, linked_sum(app.config["LEDGERS"][slug], link)


@pytest.mark.parametrize(("slug", "query"), [
    (POOL, "?time=2019"), (POOL, ""), (POOL, "?page=municipality&name=Kolding&time=2018-09"),
    (MUNICIPALITIES["Aarhus"], "?time=2019"), (MUNICIPALITIES["Lejre"], ""),
])
def test_federation_serve__every_drill_down_sums_to_its_figure_in_the_ledger_it_opens(
    app: Any, client: Any, slug: str, query: str,
) -> None:
    found = drilled(page(client, query, base=at(slug)))
    assert len(found) > 10
    wrong, opened = [], set()
    for key, value, href in found:
        where, total = href_sum(app, href)
        opened.add(where)
        if total != value:
            wrong.append(f"{key} {value} != {total} in {where}: {href}")
    assert wrong == []
    assert CONSOLIDATED in opened  # the municipalities' postings, from the pool's ledger
    assert (POOL in opened) == (slug == POOL and "municipality" not in query)


def test_federation_serve__pool_citizen_page_reads_the_municipalitys_books(
    client: Any,
) -> None:
    text = page(client, "?page=citizen&name=P-KOL-001", base=at(POOL))
    assert figure(text, "spent") == Decimal("50000.00")
    editor = re.findall(r'<tr data-kind="purchase"><td class="gp-nowrap"><a href="([^"]+)"', text)
    assert editor and all(h.startswith(f"/{MUNICIPALITIES['Kolding']}/editor/") for h in editor)
    assert 'form class="gp-purchase"' not in text and "gp-readonly" not in text
    assert re.search(rf'class="gp-note gp-elsewhere"><a href="/{MUNICIPALITIES["Kolding"]}'
                     r'/extension/GrantPool/\?page=citizen&amp;name=P-KOL-001">Kolding<', text)


def test_federation_serve__the_pool_ledger_records_no_purchase(example_copy: Path) -> None:
    app = create_app(main_files(example_copy.parent), load=True, read_only=False)
    client = app.test_client()
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    before = kolding.read_bytes(), (example_copy.parent / "pool" / "books.beancount").read_bytes()
    answer = client.post(f"{at(POOL)}purchase", headers={"X-Grantpool": "purchase"},
                         json={"citizen": "P-KOL-002", "date": "2019-01-20", "amount": "0.50",
                               "category": "id_docs"})
    assert answer.status_code == 403
    assert "in the municipality's books" in answer.get_json()["message"]
    assert (kolding.read_bytes(), (example_copy.parent / "pool" / "books.beancount")
            .read_bytes()) == before
    text = page(client, "?page=citizen&name=P-KOL-002", base=at(MUNICIPALITIES["Kolding"]))
    assert 'form class="gp-purchase" data-citizen="P-KOL-002"' in text  # its own books


def test_federation_serve__the_roll_up_follows_a_municipalitys_books_when_they_change(
    example_copy: Path,
) -> None:
    client = create_app(main_files(example_copy.parent), load=True).test_client()
    before = cells(page(client, "?time=2019", base=at(POOL)), "data-municipality")
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a", encoding="utf-8") as books:
        books.write('\n2018-12-01 * "Purchase: clothing" #purchase\n'
                    "  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK\n"
                    "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-002:Available  -1.00 DKK\n")
    after = cells(page(client, "?time=2019", base=at(POOL)), "data-municipality")
    assert after["Kolding"]["spent"] == before["Kolding"]["spent"] + Decimal("1.00")
    assert after["Aarhus"] == before["Aarhus"]


def findings_items(text: str) -> list[tuple[str, str]]:
    """(severity, rule) of each finding listed on a findings page."""
    return re.findall(r'<li data-rule="([^"]+)" data-severity="(\w+)"', text)


def test_federation_serve__pool_findings_list_each_municipalitys_own_findings(
    example_copy: Path,
) -> None:
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a", encoding="utf-8") as books:  # over the citizen's cap
        books.write('\n2018-12-01 * "Purchase: clothing" #purchase\n'
                    "  Expenses:Municipality:Kolding:Purchases:Clothing   60000.00 DKK\n"
                    "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-002:Available  "
                    "-60000.00 DKK\n")
    client = create_app(main_files(example_copy.parent), load=True,
                        poll_watcher=True).test_client()
    pool = client.get(f"{at(POOL)}?page=findings&lang=en").get_data(as_text=True)
    listed = dict(re.findall(r'<tr data-municipality="([^"]+)"><td><a [^>]+>[^<]+</a></td>'
                             r'<td class="gp-n" data-key="error">(\d+)</td>', pool))
    assert set(listed) == set(MUNICIPALITIES)
    for name, slug in MUNICIPALITIES.items():  # the same as the municipality's own page
        own = client.get(f"{at(slug)}?page=findings").get_data(as_text=True)
        errors = [rule for rule, severity in findings_items(own) if severity == "error"]
        assert int(listed[name]) == len(errors), name
    assert int(listed["Kolding"]) >= 1
    found = re.search(r'<li data-municipality="Kolding" data-rule="citizen-cap" '
                      r'data-severity="error"><a href="([^"]+)">', pool)
    assert found is not None, "the cap finding in Kolding's books is not listed"
    assert found.group(1).startswith(f"/{MUNICIPALITIES['Kolding']}/editor/")
    assert "books.beancount" in html.unescape(found.group(1))
    # a municipality's own ledger lists its own findings only, no other municipality's
    aarhus = client.get(f"{at(MUNICIPALITIES['Aarhus'])}?page=findings").get_data(as_text=True)
    assert 'data-municipality="Kolding"' not in aarhus


def test_federation_serve__a_pool_without_its_entity_line_exits_2(example_copy: Path) -> None:
    pool = example_copy.parent / "pool" / "main.beancount"
    pool.write_text(re.sub(r'.*custom "grantpool-entity".*\n', "", pool.read_text("utf-8")),
                    encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "grantpool", "serve", str(example_copy.parent), "--port",
         str(free_port())], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "not a federation's books" in result.stderr
    assert "Serving" not in result.stdout


# --- a real browser on `grantpool serve <folder>` ---------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                    reason="Debian's chromium is not installed: apt-get install chromium")
def test_federation_serve__browser_pool_page_rolls_up_and_the_switcher_lists_the_entities(
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (needs chromium)

    folder = tmp_path / "ledger"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns(".*", "examples"))
    shutil.copytree(EXAMPLE.parent / "rules", tmp_path / "rules")
    expected = {r["municipality"]: Decimal(r["granted"])
                for r in folder_report("municipality", "2019-12-31", folder)}
    with serving(folder, POOL) as (url, proc), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(f"{url}{PAGES}?time=2019&lang=en")
            tab.wait_for_selector(".gp[data-page=pool]")
            for name, granted in expected.items():
                cell = tab.locator(f"tr[data-municipality='{name}'] td[data-key=granted]")
                assert amount(cell.inner_text(), "en") == granted > 0, name
            tab.hover("header h1")
            switcher = tab.locator("header .beancount-files a")
            titles = switcher.all_inner_texts()
            assert sorted(titles) == sorted(["Grant pool dk2017"] + [
                f"Grant pool dk2017: {name}" for name in MUNICIPALITIES])
            switcher.filter(has_text="Grant pool dk2017: Aarhus").click()
            tab.wait_for_url(f"**/{MUNICIPALITIES['Aarhus']}/**")
            tab.goto(tab.url.split(MUNICIPALITIES["Aarhus"])[0] + MUNICIPALITIES["Aarhus"]
                     + PAGES)
            tab.wait_for_selector(".gp[data-page=municipality]")
            assert tab.locator("tr[data-citizen^='P-AAR-']").count() > 15
            assert tab.locator("tr[data-citizen^='P-KOL-']").count() == 0
        finally:
            browser.close()
    printed = proc.stdout.read() if proc.stdout else ""
    assert "0 error(s)" in printed
    for slug in (CONSOLIDATED, POOL, *MUNICIPALITIES.values()):
        assert f"/{slug}/" in printed, slug
