"""The Fava extension through Fava's Flask test client: every page, the same
figures as ``grantpool report``, Fava's time and account filters."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fava.application import create_app

from tests.conftest import EXAMPLE
from tests.reporting import report
from tests.rulebooks import books, purchase

BASE = "/grant-pool-dk2017/extension/GrantPool/"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    app = create_app([(EXAMPLE / "main.beancount").resolve()], load=True)
    yield app.test_client()


def page(client: Any, query: str = "", base: str = BASE) -> str:
    response = client.get(base + query)
    assert response.status_code == 200, response.data[-2000:]
    return str(response.data.decode())


def amount(shown: str, lang: str = "da") -> Decimal:
    """A figure as a page prints it: ``1.785.409,00`` (da) or ``1,785,409.00`` (en)."""
    thousands, point = (".", ",") if lang == "da" else (",", ".")
    return Decimal(shown.strip().replace(thousands, "").replace(point, ".")
                   .replace("\u00a0", "").replace("\u2212", "-"))


def figure(text: str, name: str, lang: str = "da") -> Decimal:
    match = re.search(rf'data-figure="{name}">.*?<span class="gp-num">([^<]+)</span>', text, re.S)
    assert match, name
    return amount(html.unescape(match[1]), lang)


def cells(text: str, row_attr: str) -> dict[str, dict[str, Decimal]]:
    """{row id: {key: value}} from the data-value cells of a sortable table."""
    out: dict[str, dict[str, Decimal]] = {}
    for row_id, body in re.findall(rf'<tr {row_attr}="([^"]+)">(.*?)</tr>', text, re.S):
        out[html.unescape(row_id)] = {k: Decimal(v) for v, k in re.findall(
            r'data-value="([^"]+)" data-key="(\w+)"', body)}
    return out


def test_ext__sidebar_lists_the_extension(client: Any) -> None:
    text = page(client, base="/grant-pool-dk2017/income_statement/")
    listed = '"extensions":[{"has_js_module":true,"name":"GrantPool","report_title":"Grant pool"}]'
    assert listed in text


def test_ext__pool_page_figures_equal_the_report(client: Any) -> None:
    text = page(client, "?time=2019")
    [pool] = report("pool", "2019-12-31")
    for key in ("granted", "returned", "remaining"):
        assert figure(text, f"pool-{key}") == Decimal(pool[key]), key
    spent = figure(text, "total-spent") + figure(text, "pool-administration")
    assert spent == Decimal(pool["spent"])
    assert figure(text, "total-committed") == Decimal(pool["committed"])
    rows = cells(text, "data-municipality")
    for row in report("municipality", "2019-12-31"):
        given_back = rows[row["municipality"]]["returned"] + rows[row["municipality"]]["kept"]
        assert given_back == Decimal(row["returned"]) + Decimal(row.get("kept", "0"))
        for key in ("granted", "committed", "spent", "remaining"):
            assert rows[row["municipality"]][key] == Decimal(row[key])
    assert "<svg class=\"gp-sankey\"" in text and "<svg class=\"gp-chart\"" in text


def test_ext__municipality_page_lists_every_budget(client: Any) -> None:
    text = page(client, "?page=municipality&name=Kolding&time=2018-09")
    rows = cells(text, "data-citizen")
    expected = [r for r in report("citizen", "2018-09-30") if r["municipality"] == "Kolding"]
    assert len(rows) == len(expected) > 15  # the budgets decided by then
    for row in expected:
        for key in ("granted", "committed", "spent", "remaining"):
            assert rows[row["citizen"]][key] == Decimal(row[key]), (row["citizen"], key)
    assert "Modtagne rater" in text and text.count("gp-status-active") > 0


def test_ext__citizen_page_statement_adds_up(client: Any) -> None:
    text = page(client, "?page=citizen&name=P-KOL-001")
    [row] = [r for r in report("citizen", "2026-01-01") if r["citizen"] == "P-KOL-001"]
    assert figure(text, "spent") == Decimal(row["spent"]) == Decimal("50000.00")
    remaining = re.findall(r'<tr data-kind="\w+"><td class="gp-nowrap"><a href="[^"]*editor/'
                           r'\?[^"]*">[^<]+</a></td>.*?<span class="gp-num">([^<]+)</span>'
                           r'</td></tr>', text, re.S)
    assert remaining and amount(remaining[-1]) == Decimal(row["remaining"])
    assert "<svg class=\"gp-timeline\"" in text


def test_ext__account_filter_picks_the_municipality(client: Any) -> None:
    text = page(client, "?account=Assets:Municipality:Lejre")
    assert list(cells(text, "data-municipality")) == ["Lejre"]


def test_ext__drill_down_links_keep_to_the_transactions(client: Any) -> None:
    """The page's links are ``grantpool.figures.links``' (whose sums the figure-walk test
    checks): a citizen's spending is the purchases paid from that citizen's accounts."""
    text = page(client, "?page=municipality&name=Kolding")
    assert ("account/Expenses:Municipality/?filter=%23purchase+any(account:%22%5EAssets:"
            "Municipality:Kolding:Bank:Citizen:P-KOL-001:%22)&amp;time=2017-07-01+-+") in text
    assert "journal/?" not in text


def test_ext__findings_page_links_to_the_offending_line(
    write_doc: Callable[[str], Path],
) -> None:
    ledger = write_doc(books(purchase("2018-07-01", "50000.01", narration="Over",
                                      meta='\n  approval: "A-1"')))
    client = create_app([ledger], load=True).test_client()
    text = page(client, "?page=findings", base="/rule-test/extension/GrantPool/")
    assert 'data-rule="citizen-cap" data-severity="error"' in text
    line = next(i + 1 for i, t in enumerate(ledger.read_text().splitlines()) if "Over" in t)
    assert f"line={line}" in text and "over the cap of 50000.00 DKK by 0.01 DKK" in text


def test_ext__books_without_rules_say_so(write_doc: Callable[[str], Path]) -> None:
    ledger = write_doc('option "title" "No rules"\n'
                       '2017-01-01 custom "fava-extension" "grantpool.fava_ext"\n')
    client = create_app([ledger], load=True).test_client()
    text = page(client, "", base="/no-rules/extension/GrantPool/")
    assert "declare no" in text and 'lang="en"' in text  # no rules: no pool language


def _writable_client(ledger: Path) -> Any:
    return create_app([ledger], load=True, read_only=False).test_client()


def test_ext__purchase_form_records_a_checked_purchase(example_copy: Path, tmp_path: Path) -> None:
    kolding = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    client = _writable_client(example_copy)
    text = page(client, "?page=citizen&name=P-KOL-002")
    assert 'form class="gp-purchase" data-citizen="P-KOL-002"' in text
    url = "/grant-pool-dk2017/extension/GrantPool/purchase"
    body = {"citizen": "P-KOL-002", "date": "2019-01-20", "amount": "0.50",
            "category": "id_docs"}
    assert client.post(url, json=body).status_code == 403  # no header: not our form
    before = kolding.read_bytes()
    over = client.post(url, json={**body, "amount": "50000.00"},
                       headers={"X-Grantpool": "purchase"})
    assert over.status_code == 409 and kolding.read_bytes() == before
    assert any(f["rule"] == "citizen-cap" for f in over.get_json()["findings"])
    bad = client.post(url, json={**body, "amount": "1,5"}, headers={"X-Grantpool": "purchase"})
    assert bad.status_code == 400 and "amount like 1500.00" in bad.get_json()["message"]
    danish = client.post(url, json={**body, "amount": "1,505", "lang": "da"},
                         headers={"X-Grantpool": "purchase"})
    assert danish.status_code == 400 and kolding.read_bytes() == before
    assert "beløb som 1500.00" in danish.get_json()["message"]
    # read as 0.50 DKK, then judged: the example's bank statements refuse any new money
    judged = client.post(url, json={**body, "amount": "0,50", "lang": "da"},
                         headers={"X-Grantpool": "purchase"})
    assert judged.status_code == 409 and kolding.read_bytes() == before
    assert any("(0.50 too little)" in f["message"] for f in judged.get_json()["findings"])


def test_ext__purchase_form_is_disabled_when_fava_is_read_only(example_copy: Path) -> None:
    client = create_app([example_copy], load=True, read_only=True).test_client()
    text = page(client, "?page=citizen&name=P-KOL-002")
    assert "gp-readonly" in text and "form class=\"gp-purchase\"" not in text
    answer = client.post("/grant-pool-dk2017/extension/GrantPool/purchase", json={},
                         headers={"X-Grantpool": "purchase"})
    assert answer.status_code == 401


def test_ext__purchase_form_writes_what_passes(write_doc: Callable[[str], Path]) -> None:
    ledger = write_doc(books())
    client = _writable_client(ledger)
    answer = client.post("/rule-test/extension/GrantPool/purchase",
                         json={"citizen": "P-LEJ-001", "date": "2018-06-01", "amount": "757.00",
                               "category": "health_dental", "approval": ""},
                         headers={"X-Grantpool": "purchase"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["message"] == ("recorded: purchase 757.00 health_dental for "
                                            "P-LEJ-001")
    assert answer.get_json()["recorded"] == "2018-06-01,757.00,health_dental"
    assert '2018-06-01 * "Purchase: health_dental" #purchase' in ledger.read_text(
        encoding="utf-8")


def test_ext__purchase_form_uploads_a_voucher_stored_with_the_entry(
    write_doc: Callable[[str], Path],
) -> None:
    ledger = write_doc(books())
    client = _writable_client(ledger)
    url = "/rule-test/extension/GrantPool/purchase"
    receipt = b"%PDF-1.4 a receipt for dental work, no name on it"
    body = {"citizen": "P-LEJ-001", "date": "2018-06-01", "amount": "757.00",
            "category": "health_dental", "voucher_name": "receipt.pdf",
            "voucher_data": base64.b64encode(receipt).decode()}
    headers = {"X-Grantpool": "purchase"}
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    [stored] = list((ledger.parent / "documents").rglob("*.pdf"))
    assert stored.read_bytes() == receipt and stored.stat().st_mode & 0o777 == 0o600
    written = ledger.read_text(encoding="utf-8")
    assert f'voucher_sha256: "{hashlib.sha256(receipt).hexdigest()}"' in written
    text = page(client, "?page=citizen&name=P-LEJ-001&time=2018", base="/rule-test/extension/"
                "GrantPool/")
    assert 'class="gp-voucher" href="/rule-test/document/?filename=' in text
    for bad in ({"voucher_data": "not base64!"}, {"voucher_name": "receipt.p?f"},
                {"amount": "1e400"}):
        refused = client.post(url, json={**body, **bad}, headers=headers)
        assert refused.status_code == 400, bad
    assert len(list((ledger.parent / "documents").rglob("*.pdf"))) == 1
