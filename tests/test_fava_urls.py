"""The pages' links built without Fava's ``url_for`` per link (``fava_ext.urls``) are
the links Fava's ``url_for`` builds: every endpoint the pages link, any value, the
request's own filters carried as Fava carries them; and the pieces the pages print many
times (``fava_ext.html``) escape every text."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fava.application import create_app, url_for
from hypothesis import given, settings
from hypothesis import strategies as st

from grantpool.fava_ext.drills import Drills
from grantpool.fava_ext.html import Html
from grantpool.fava_ext.summary import Pace
from grantpool.fava_ext.texts import texts
from grantpool.fava_ext.urls import Urls, _slot

SLUG = "urls-test"
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
# The request's own filters, which url_for carries into every link that does not set them.
REQUESTS = [
    "",
    "?time=2018&filter=%23purchase",
    "?conversion=at_value&interval=month&account=Assets:Municipality:Halsn%C3%A6s",
    "?time=2017-07-01+-+2019-12-31&filter=any(account%3A%22%5EX%22)+%26+%23a&lang=da",
    f"?filter={_slot(0)}",  # a placeholder's text in a filter: each link asks url_for
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    books = Path(tmp_path_factory.mktemp("urls")) / "main.beancount"
    books.write_text('option "title" "Urls test"\n2020-01-01 open Assets:Bank DKK\n',
                     encoding="utf-8")
    yield create_app([books], load=True, poll_watcher=True)


def both(app: Any, query: str, endpoint: str, values: dict[str, Any]) -> tuple[str, str]:
    """(Fava's url_for, ``Urls``) for *endpoint* and *values*, in a request for *query*."""
    with app.test_request_context(f"/{SLUG}/extension/GrantPool/{query}"):
        app.preprocess_request()
        urls = Urls()
        urls(endpoint, **values)  # its shape made, then the link from the shape
        return url_for(endpoint, **values), urls(endpoint, **values)


@pytest.mark.parametrize("query", REQUESTS)
@settings(max_examples=40, deadline=None)
@given(name=TEXT, filter_=TEXT, time=TEXT, other=TEXT)
def test_urls__a_figure_link_is_fava_s(app: Any, query: str, name: str, filter_: str,
                                      time: str, other: str) -> None:
    for bfile in ({}, {"bfile": "grant-pool-dk2017-aarhus"}):
        account = {"name": name, "filter": filter_, "time": time, "account": "", **bfile}
        fava, ours = both(app, query, "account", account)
        assert fava == ours
        queried = {"report_name": "query", "query_string": other, "time": time,
                   "filter": "", "account": "", **bfile}
        fava, ours = both(app, query, "report", queried)
        assert fava == ours


@pytest.mark.parametrize("query", REQUESTS)
@settings(max_examples=40, deadline=None)
@given(page=st.sampled_from(["pool", "municipality", "citizen", "findings"]),
       name=st.none() | TEXT, lang=st.none() | st.sampled_from(["da", "en"]))
def test_urls__a_page_link_is_fava_s(app: Any, query: str, page: str, name: str | None,
                                    lang: str | None) -> None:
    values = {"extension_name": "GrantPool", "page": page, "name": name, "lang": lang}
    fava, ours = both(app, query, "extension_report", values)
    assert fava == ours


def test_urls__the_pieces_escape_every_text(app: Any) -> None:
    with app.test_request_context(f"/{SLUG}/extension/GrantPool/?time=<b>"):
        app.preprocess_request()
        h = Html(texts("en"), Urls(), Drills(None, {}), None, datetime.date(2020, 1, 1),
                 None)
        status = str(h.status("<i>x</i>", [(datetime.date(2020, 1, 1), '"><script>')]))
        assert "<i>" not in status and "<script>" not in status
        assert "&lt;i&gt;x&lt;/i&gt;" in status and "&#34;&gt;&lt;script&gt;" in status
        assert "<script>" not in str(h.category("<script>"))
        assert "<b>" not in h.here("citizen", "<b>")  # quoted: %3Cb%3E
        pace = str(h.pace(Pace(Decimal("120.5"), Decimal("30.0"))))
        assert 'style="width: 100%"' in pace and "120.5" in pace
        assert str(h.bar(Decimal("85.0"))).count("gp-near") == 1
        assert str(h.money(Decimal("-1234.5"))) == '<span class="gp-num">-1,234.50</span>'
