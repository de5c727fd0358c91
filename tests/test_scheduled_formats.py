"""The daily run imports a mixed inbox: camt.053, MT940 (also as ``.txt``) and the
banks' CSV exports side by side, each to its account; a broken one stays in the
inbox, and files that are no statement are left alone."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from tests.statements import (
    AARHUS_IBAN,
    camt053,
    danske_csv,
    month_of,
    mt940,
    with_iban,
)
from tests.test_bank_formats import KOLDING, KOLDING_IBAN
from tests.test_scheduled import Inbox, run, schedule, smtp  # noqa: F401 (the fixture)

AARHUS = "Assets:Municipality:Aarhus:Bank"
LEJRE = "Assets:Municipality:Lejre:Bank"
FEB = (datetime.date(2018, 2, 1), datetime.date(2018, 2, 28))


def fee(day: int, ref: str, month: int = 2) -> tuple[datetime.date, Decimal, str]:
    return datetime.date(2018, month, day), Decimal("-10.00"), ref


def test_scheduled__a_mixed_inbox_of_every_format_is_imported_and_archived(
    example_copy: Path, tmp_path: Path, smtp: tuple[Inbox, int]  # noqa: F811
) -> None:
    _, port = smtp
    config = schedule(tmp_path, port)
    inbox = tmp_path / "inbox"
    with_iban(example_copy, "Aarhus", AARHUS_IBAN)
    with_iban(example_copy, "Kolding", KOLDING_IBAN)
    aarhus = month_of(example_copy, AARHUS, *FEB, extra=[fee(27, "FEE-AAR-0227")])
    kolding = month_of(example_copy, KOLDING, *FEB, extra=[fee(26, "FEE-KOL-0226")],
                       account=KOLDING_IBAN)
    lejre = month_of(example_copy, LEJRE, datetime.date(2018, 5, 1),
                     datetime.date(2018, 5, 31), extra=[fee(30, "", 5)])
    (inbox / "corporate-2018-02.xml").write_text(camt053(aarhus), encoding="utf-8")
    (inbox / "kolding-2018-02.sta").write_text(mt940(kolding, envelope=True), encoding="utf-8")
    (inbox / "kolding-copy.txt").write_text(mt940(kolding), encoding="utf-8")
    (inbox / "lejre-2018-05.csv").write_bytes(danske_csv(lejre))
    broken = camt053(aarhus).replace("<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"DKK\">",
                                     "<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"DKK\">9", 1)
    (inbox / "aarhus-broken.053").write_text(broken, encoding="utf-8")
    (inbox / "README.md").write_text("statements go here\n", encoding="utf-8")
    code, status = run(example_copy, config)
    assert code == 2  # the broken statement stays, and fails the run until it is mended
    summary = status["summary"]
    assert summary["imported"] == ["corporate-2018-02.xml", "kolding-2018-02.sta",
                                   "kolding-copy.txt", "lejre-2018-05.csv"]
    assert [r.split(":")[0] for r in summary["refused"]] == ["aarhus-broken.053"]
    assert "the closing balance" in summary["refused"][0]
    assert sorted(p.name for p in inbox.iterdir()) == ["README.md", "aarhus-broken.053"]
    munis = example_copy.parent / "municipalities"
    assert 'bank_ref: "FEE-AAR-0227"' in (munis / "aarhus" / "books.beancount").read_text()
    kolding_text = (munis / "kolding" / "books.beancount").read_text()
    assert kolding_text.count('bank_ref: "FEE-KOL-0226"') == 1  # the copy added nothing
    assert (munis / "lejre" / "books.beancount").read_text().count('bank_ref: "sha256:') == 1
    (inbox / "aarhus-broken.053").unlink()
    code, status = run(example_copy, config)
    assert status["summary"]["imported"] == [] and status["summary"]["refused"] == []
