"""End to end in a real headless Chromium (Debian's) against a real Fava server
on loopback: every page of the extension, its figures against ``grantpool
report``, sorting, a drill-down to the transactions, the purchase form and its
confirmation, and a screenshot of every page in Danish and English, at full width
and at 1024 px, in ``tests/artifacts/`` (``<page>-<lang>[-1024].png``)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.conftest import EXAMPLE
from tests.reporting import report
from tests.rulebooks import books
from tests.servers import serving
from tests.test_fava_ext import amount

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
PAGES = "extension/GrantPool/"

if not CHROMIUM.exists():
    reason = "Debian's chromium is not installed: apt-get install chromium (README)"
    if os.environ.get("CI"):
        raise RuntimeError(reason)  # CI installs it; a silent skip there would hide a gap
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving(EXAMPLE / "main.beancount", "grant-pool-dk2017") as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (needs chromium)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield tab
    tab.close()


def shown(page: Any, selector: str, lang: str = "da") -> Decimal:
    return amount(page.locator(selector).first.inner_text(), lang)


def shoot(page: Any, name: str) -> None:
    """A screenshot of the whole page: Fava scrolls inside its layout, not the
    document, so the window is made as tall as the content first."""
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    tall = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('*'),"
                         " (e) => e.scrollHeight + e.getBoundingClientRect().top))")
    page.set_viewport_size({"width": size["width"], "height": min(int(tall) + 20, 12000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.set_viewport_size(size)


def test_browser__pool_page_shows_the_reports_figures(page: Any, base: str) -> None:
    page.goto(f"{base}/{PAGES}?time=2019")
    page.wait_for_selector(".gp[data-page=pool]")
    [pool] = report("pool", "2019-12-31")
    for key in ("granted", "returned", "remaining"):
        assert shown(page, f"[data-figure=pool-{key}] .gp-num") == Decimal(pool[key]), key
    for row in report("municipality", "2019-12-31"):
        cell = f"tr[data-municipality='{row['municipality']}'] td[data-key=spent] .gp-num"
        assert shown(page, cell) == Decimal(row["spent"])
    total = shown(page, "tr[data-totals] td[data-key=spent] .gp-num")
    assert total == shown(page, "[data-figure=total-spent] .gp-num")
    assert page.locator("svg.gp-sankey path").count() > 4
    assert page.get_by_role("link", name="Grant pool").count() >= 1  # Fava's sidebar


def test_browser__municipality_page_lists_and_sorts_budgets(page: Any, base: str) -> None:
    page.goto(f"{base}/{PAGES}?page=municipality&name=Kolding&time=2018-09&lang=en")
    page.wait_for_selector(".gp[data-page=municipality]")
    expected = {r["citizen"]: r for r in report("citizen", "2018-09-30")
                if r["municipality"] == "Kolding"}
    rows = page.locator("tr[data-citizen]")
    assert rows.count() == len(expected)
    page.locator("th", has_text="Spent").click()  # sort, largest first
    top = rows.first.get_attribute("data-citizen")
    assert top == max(expected, key=lambda c: Decimal(expected[c]["spent"]))
    cell = f"tr[data-citizen='{top}'] td[data-key=spent] .gp-num"
    assert shown(page, cell, "en") == Decimal(expected[top]["spent"])


def test_browser__citizen_page_drills_down_to_the_purchases(page: Any, base: str) -> None:
    page.goto(f"{base}/{PAGES}?page=citizen&name=P-KOL-001")
    page.wait_for_selector(".gp[data-page=citizen]")
    assert shown(page, "[data-figure=spent] .gp-num") == Decimal("50000.00")
    purchases = page.locator("table.gp-statement tr[data-kind=purchase]").count()
    page.locator("[data-figure=spent] a").click()
    page.wait_for_url("**/account/Expenses:Municipality/**")
    assert "P-KOL-001" in unquote(page.url) and "filter=%23purchase" in page.url
    page.wait_for_selector("li.transaction")
    assert page.locator("li.transaction").count() == purchases > 0
    shoot(page, "drill-down-journal")


def test_browser__favas_own_pages_print_thousands_separators(page: Any, base: str) -> None:
    page.goto(f"{base}/income_statement/?time=2019")
    page.wait_for_selector("text=Expenses")
    text = page.inner_text("article")
    assert re.search(r"\b\d{1,3}(\.\d{3})+,\d{2}\b", text), text[:500]  # da_DK: 1.234,00
    shoot(page, "fava-income-statement")


EVERY_PAGE = {
    "pool": "?page=pool",
    "pool-filtered": "?account=Assets:Municipality:Lejre",
    "municipality": "?page=municipality&name=Halsnæs&time=2018-09",
    "citizen": "?page=citizen&name=P-HAL-003",
    "findings": "?page=findings",
}


@pytest.mark.parametrize("width", [1024, 1400])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_browser__every_page_reads_in_both_languages_at_1024_px_and_wide(
    browser: Any, base: str, lang: str, width: int
) -> None:
    tab = browser.new_page(viewport={"width": width, "height": 900})
    too_wide = []
    try:
        for name, query in EVERY_PAGE.items():
            tab.goto(f"{base}/{PAGES}{query}&lang={lang}")
            tab.wait_for_selector(f".gp[lang={lang}]")
            overflow = tab.evaluate("""() => Array.from(document.querySelectorAll(
                '.gp table')).filter((t) => t.getBoundingClientRect().right >
                document.querySelector('.gp').getBoundingClientRect().right + 1).length""")
            shoot(tab, f"{name}-{lang}" + ("-1024" if width == 1024 else ""))
            if overflow:
                too_wide.append(name)
    finally:
        tab.close()
    assert not too_wide, f"a table runs past the page at {width} px on {too_wide}"


def test_browser__findings_page_links_to_the_line(page: Any, example_copy: Path) -> None:
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    with kolding.open("a", encoding="utf-8") as books:
        books.write('\n2018-12-01 * "Purchase: clothing" #purchase\n'
                    "  Expenses:Municipality:Kolding:Purchases:Clothing   1.00 DKK\n"
                    "  Assets:Municipality:Kolding:Bank:Citizen:P-KOL-001:Available  -1.00 DKK\n")
    with serving(example_copy, "grant-pool-dk2017") as (url, _):
        page.goto(f"{url}/{PAGES}?page=findings")
        page.wait_for_selector(".gp[data-page=findings]")
        item = page.locator("li[data-rule=citizen-cap][data-severity=error]")
        assert item.count() == 1 and "by 1.00 DKK" in item.inner_text()
        shoot(page, "findings-with-error")
        item.locator("a").first.click()
        page.wait_for_url("**/editor/**")
        assert "municipalities/kolding/books.beancount" in page.url


@pytest.mark.parametrize("lang", ["da", "en"])
def test_browser__an_officer_records_a_purchase_and_sees_it_confirmed(
    page: Any, write_doc: Callable[[str], Path], lang: str
) -> None:
    ledger = write_doc(books())
    with serving(ledger, "rule-test", "--read-write") as (url, _):
        page.goto(f"{url}/{PAGES}?page=citizen&name=P-LEJ-001&time=2018&lang={lang}")
        page.wait_for_selector("form.gp-purchase[data-ready]")  # its script is attached
        page.fill("form.gp-purchase input[name=date]", "2018-06-01")
        page.fill("form.gp-purchase input[name=amount]", "60000.00")
        page.select_option("form.gp-purchase select[name=category]", "health_dental")
        page.click("form.gp-purchase button")
        page.wait_for_selector(".gp-result.gp-error")
        assert ("afvist" if lang == "da" else "refused") in page.inner_text(".gp-result")
        assert "[citizen-cap]" in page.inner_text(".gp-result")
        shoot(page, f"purchase-refused-{lang}")
        page.fill("form.gp-purchase input[name=amount]", "1890.00")
        page.click("form.gp-purchase button")
        page.wait_for_selector(".gp-confirm[data-recorded='2018-06-01']")
        confirm = page.inner_text(".gp-confirm")
        assert ("1.890,00 DKK (Tandbehandling)" if lang == "da"
                else "1,890.00 DKK (Dental treatment)") in confirm
        new = page.locator("table.gp-statement tr.gp-new")
        assert new.count() == 1 and "health_dental" in (
            new.locator(".gp-category").get_attribute("title") or "")
        page.wait_for_selector("form.gp-purchase[data-ready]")
        shoot(page, f"purchase-recorded-{lang}")
    assert ledger.read_text(encoding="utf-8").count("#purchase") == 1
