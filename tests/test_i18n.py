"""The message catalogue: every text the code and the templates mark is in
``messages.pot`` and translated in ``da.po``; figures keep their places; numbers and
dates as a Danish or English reader writes them; the scheduled mail in the pool's
language."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from grantpool.audit.findings import Finding
from grantpool.i18n import ENGLISH, catalogue, language, translator
from grantpool.i18n import formats as fmt
from grantpool.i18n.extract import HERE, extract, sources
from grantpool.scheduled import notify
from grantpool.scheduled.config import Mail
from grantpool.scheduled.mailing import plan, pool_language
from grantpool.scheduled.outcome import Noticed
from tests.conftest import EXAMPLE


def ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_i18n__every_marked_text_is_in_the_template_and_translated_into_danish() -> None:
    marked = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    assert len(marked) > 100
    assert marked == ids(HERE / "messages.pot"), "run python -m grantpool.i18n.extract"
    danish = catalogue("da")
    assert danish is not None
    missing = [m.id for m in danish if m.id and (not m.string or m.fuzzy or (
        isinstance(m.string, tuple) and not all(m.string)))]
    assert missing == []
    assert marked <= ids(HERE / "da.po")


def test_i18n__translations_keep_every_placeholder() -> None:
    danish = catalogue("da")
    assert danish is not None
    for message in danish:
        if not message.id or "%(" not in str(message.id):
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            assert sorted(_names(target)) == sorted(_names(source)), source


def _names(text: str) -> list[str]:
    return re.findall(r"%\((\w+)\)s", text)


def test_i18n__danish_fills_figures_in_and_english_is_the_msgid() -> None:
    da = translator("da")
    assert da("Citizens' budgets (%(count)s)", count=17) == "Borgernes budgetter (17)"
    assert ENGLISH("Citizens' budgets (%(count)s)", count=17) == "Citizens' budgets (17)"
    assert da.ngettext("%(count)s new finding", "%(count)s new findings", 1) == "1 nyt fund"
    assert da.ngettext("%(count)s new finding", "%(count)s new findings", 3) == "3 nye fund"
    assert da("a text nobody marked") == "a text nobody marked"


def test_i18n__the_language_asked_wins_then_the_pools_then_english() -> None:
    assert language("en", "da") == "en"
    assert language(None, "da") == "da"
    assert language("xx", None) == "en" and language(None, None) == "en"


def test_i18n__numbers_and_dates_as_each_reader_writes_them() -> None:
    assert fmt.money(Decimal("1785409"), "da") == "1.785.409,00"
    assert fmt.money(Decimal("1785409"), "en") == "1,785,409.00"
    assert fmt.money(Decimal("-0.5"), "da") == "-0,50"
    assert fmt.day(datetime.date(2019, 12, 31), "da") == "31-12-2019"
    assert fmt.day(datetime.date(2019, 12, 31), "en") == "2019-12-31"
    assert fmt.plain_number(Decimal("83110"), decimal_comma=True) == "83110,00"


FINDING = Finding("citizen-cap", "error", "P-KOL-001: over the cap", "kolding.beancount", 12,
                  datetime.date(2018, 12, 1), None)


def test_i18n__scheduled_mail_is_in_the_pools_language() -> None:
    assert pool_language(EXAMPLE / "main.beancount") == "da"
    assert pool_language(EXAMPLE / "examples" / "uk2009" / "main.beancount") == "en"
    assert pool_language(Path("/nonexistent/main.beancount")) == "en"
    mail = Mail(host="127.0.0.1", port=25, tls="none", sender="grantpool@example.org",
                username_env=None, password_env=None, ministry=("ministry@example.org",),
                municipalities={"Kolding": ("kolding@example.org",)})
    noticed = [Noticed(FINDING, "Kolding")]
    _, danish = plan(mail, noticed, {}, "main.beancount", translator("da"))
    assert [m.subject for m in danish] == ["[grantpool] 1 nyt fund for Kolding",
                                           "[grantpool] 1 nyt fund"]
    assert danish[0].text.startswith("Nye fund i main.beancount:")
    assert "- fejl [citizen-cap] P-KOL-001: over the cap" in danish[0].text
    _, english = plan(mail, noticed, {}, "main.beancount")
    assert english[0].subject == "[grantpool] 1 new finding for Kolding"
    assert english[0].text.startswith("New findings in main.beancount:")
    failed = notify.failure_body(["the books could not be checked"], "b", "s",
                                 translator("da"))
    assert failed.startswith("Den daglige kørsel af grantpool scheduled på b")


def test_i18n__no_marked_text_hides_inside_an_f_string_where_extraction_cannot_see_it() -> None:
    hidden = re.compile(r"""\bf(['"]).*\b(t|gettext|N_)\(\s*['"]""")
    found = [f"{path.name}:{n}" for path in sources() if path.suffix == ".py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if hidden.search(line)]
    assert found == []


@given(st.decimals(min_value=Decimal("-1000000000000"), max_value=Decimal("1000000000000"),
                   allow_nan=False, allow_infinity=False, places=3),
       st.sampled_from(["da", "en"]))
def test_formats__money_and_whole_print_as_babel_does(value: Decimal, lang: str) -> None:
    locale = fmt.locale_of(lang)
    assert fmt.money(value, lang) == format_decimal(value, format="#,##0.00",
                                                        locale=locale)
    assert fmt.whole(value, lang) == format_decimal(value, format="#,##0", locale=locale)
