"""``grantpool import`` reads statements as banks deliver them: ISO 20022 camt.053
(001.02 to 001.08), SWIFT MT940 and the banks' CSV exports through YAML profiles;
the same month in every format books the same entries and the same closing balance."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser
from click.testing import CliRunner

from grantpool.cli import main
from tests.statements import (
    AARHUS_IBAN,
    Month,
    camt053,
    danske_csv,
    iban,
    month_of,
    mt940,
    with_iban,
)

AARHUS = "Assets:Municipality:Aarhus:Bank"
KOLDING = "Assets:Municipality:Kolding:Bank"
KOLDING_IBAN = iban("DK", "00400440116244")
FEB = (datetime.date(2018, 2, 1), datetime.date(2018, 2, 28))
FEE = (datetime.date(2018, 2, 27), Decimal("-25.00"), "FEE-0227")
INTEREST = (datetime.date(2018, 2, 28), Decimal("12.50"), "INT-0228")


def run(ledger: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["import", *args, "--ledger", str(ledger)])
    return result.exit_code, result.stdout, result.stderr


def books(ledger: Path) -> str:
    return "".join(p.read_text(encoding="utf-8")
                   for p in sorted(ledger.parent.rglob("*.beancount")))


def aarhus(ledger: Path) -> Path:
    return ledger.parent / "municipalities" / "aarhus" / "books.beancount"


def february(ledger: Path, *extra: tuple[datetime.date, Decimal, str]) -> Month:
    with_iban(ledger, "Aarhus", AARHUS_IBAN)
    return month_of(ledger, AARHUS, *FEB, extra=list(extra))


def appended(ledger: Path, before: str) -> list[tuple[object, ...]]:
    """What an import added to Aarhus's file, each entry as its date, kind, flag and
    postings: everything but the bank's reference."""
    text = aarhus(ledger).read_text(encoding="utf-8")
    assert text.startswith(before)
    entries, errors, _ = parser.parse_string(text[len(before):])
    assert errors == []
    return [(type(e).__name__, e.date, getattr(e, "flag", None), getattr(e, "tags", None),
             [(p.account, p.units) for p in getattr(e, "postings", [])],
             getattr(e, "amount", None)) for e in entries]


def test_bank__the_same_month_as_camt053_mt940_and_danske_csv_books_the_same_entries(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE, INTEREST)
    before = aarhus(example_copy).read_text(encoding="utf-8")
    files = {"camt053": (tmp_path / "bank-2018-02.xml", camt053(month).encode()),
             "mt940": (tmp_path / "bank-2018-02.sta", mt940(month, envelope=True).encode()),
             "danske": (tmp_path / "aarhus-2018-02.csv", danske_csv(month))}
    found = {}
    for name, (path, content) in files.items():
        aarhus(example_copy).write_text(before, encoding="utf-8")
        path.write_bytes(content)
        code, out, err = run(example_copy, str(path))
        assert code == 0, err
        assert "9 matched, 2 bank line(s) unmatched, 0 book entr(ies) unmatched" in out, out
        found[name] = appended(example_copy, before)
        text = aarhus(example_copy).read_text(encoding="utf-8")
        found[name + " text"] = text[len(before):].split(" by grantpool import\n", 1)[1]
        assert "Betaling" not in text[len(before):]
    assert found["camt053"] == found["mt940"] == found["danske"]
    assert found["camt053"][-1][0] == "Balance" and found["camt053"][-1][1] == datetime.date(
        2018, 3, 1)
    assert f"2018-03-01 balance {AARHUS}" in found["danske text"]
    assert "434513.50 DKK" in found["danske text"]
    # camt.053 and MT940 carry the bank's references: the very same text
    assert found["camt053 text"] == found["mt940 text"]
    assert 'bank_ref: "FEE-0227"' in found["camt053 text"]
    assert 'bank_ref: "sha256:' in found["danske text"]  # Danske's export has no reference


@pytest.mark.parametrize("version", range(2, 9))
def test_camt053__every_version_from_001_02_to_001_08_is_read(
    example_copy: Path, tmp_path: Path, version: int
) -> None:
    month = february(example_copy, FEE)
    path = tmp_path / "statement.xml"
    path.write_text(camt053(month, version=version), encoding="utf-8")
    code, out, err = run(example_copy, str(path))
    assert code == 0, err
    assert f"{path} /Document/BkToCstmrStmt/Stmt -> {AARHUS}" in out
    assert aarhus(example_copy).read_text(encoding="utf-8").count('bank_ref: "FEE-0227"') == 1


def test_camt053__importing_twice_or_in_another_format_adds_nothing(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE)
    xml = tmp_path / "statement.xml"
    xml.write_text(camt053(month), encoding="utf-8")
    assert run(example_copy, str(xml))[0] == 0
    after = aarhus(example_copy).read_bytes()
    code, out, _ = run(example_copy, str(xml))
    assert code == 0 and "nothing new" in out
    sta = tmp_path / "statement.sta"
    sta.write_text(mt940(month), encoding="utf-8")
    code, out, _ = run(example_copy, str(sta))
    assert code == 0 and "nothing new" in out
    assert aarhus(example_copy).read_bytes() == after


def test_camt053__one_file_of_two_accounts_books_each_statement_to_its_iban(
    example_copy: Path, tmp_path: Path
) -> None:
    aarhus_month = february(example_copy, FEE)
    with_iban(example_copy, "Kolding", KOLDING_IBAN)
    kolding_fee = (datetime.date(2018, 2, 26), Decimal("-30.00"), "FEE-KOL-0226")
    kolding = month_of(example_copy, KOLDING, *FEB, extra=[kolding_fee], account=KOLDING_IBAN)
    path = tmp_path / "corporate-2018-02.xml"
    path.write_text(camt053(aarhus_month, kolding), encoding="utf-8")
    code, out, err = run(example_copy, str(path))
    assert code == 0, err
    assert f"Stmt -> {AARHUS}" in out and f"Stmt[2] -> {KOLDING}" in out
    kolding_file = example_copy.parent / "municipalities" / "kolding" / "books.beancount"
    assert 'bank_ref: "FEE-KOL-0226"' in kolding_file.read_text(encoding="utf-8")
    assert 'bank_ref: "FEE-0227"' in aarhus(example_copy).read_text(encoding="utf-8")
    assert 'FEE-KOL' not in aarhus(example_copy).read_text(encoding="utf-8")


def test_mt940__two_statements_of_one_account_in_one_file_are_booked_in_turn(
    example_copy: Path, tmp_path: Path
) -> None:
    feb = february(example_copy, FEE)
    march = month_of(example_copy, AARHUS, datetime.date(2018, 3, 1),
                     datetime.date(2018, 3, 31))
    march = Month(march.iban, feb.closing, march.first, march.last,
                  [*march.moves, (datetime.date(2018, 3, 30), Decimal("-25.00"), "FEE-0330")])
    path = tmp_path / "statement.sta"
    path.write_text(mt940(feb, march), encoding="utf-8")
    code, _, err = run(example_copy, str(path))
    assert code == 0, err
    text = aarhus(example_copy).read_text(encoding="utf-8")
    assert 'bank_ref: "FEE-0227"' in text and 'bank_ref: "FEE-0330"' in text


def test_bank__the_banks_free_text_never_enters_the_books(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE, (datetime.date(2018, 2, 20), Decimal("-5.00"), ""))
    for name, content in (("s.xml", camt053(month, text="Husleje Testperson Syntetisk")),
                          ("s.sta", mt940(month, text="Husleje Testperson Syntetisk"))):
        (tmp_path / name).write_text(content, encoding="utf-8")
        code, _, err = run(example_copy, str(tmp_path / name))
        assert code == 0, err
    assert "Syntetisk" not in books(example_copy) and "Husleje" not in books(example_copy)


def test_csv_profiles__danske_bank_and_nordea_exports_are_told_from_their_header(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE)
    code, out, err = run(example_copy, str(tmp_path / "x.csv"))  # no file: refused
    assert code == 2 and "cannot read it" in err
    danske = tmp_path / "aarhus-danske.csv"
    danske.write_bytes(danske_csv(month))
    assert run(example_copy, str(danske))[0] == 0
    rows = ["Bogføringsdato;Beløb;Afsender;Modtager;Navn;Beskrivelse;Saldo;Valuta",
            "Reserveret;-99,00;;;;Kortkøb;;DKK"]
    balance = month.closing
    for day, amount, _ in reversed(month.moves):  # newest first, as Nordea writes it
        rows.append(f"{day:%Y/%m/%d};{amount:.2f};;;;Betaling;{balance:.2f};DKK"
                    .replace(".", ","))
        balance -= amount
    nordea = tmp_path / "aarhus-nordea.csv"
    nordea.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    code, out, err = run(example_copy, str(nordea))
    assert code == 0 and "nothing new" in out, err


PROFILE = """\
# a savings bank's export, added by a user without code
name: sparekasse
header: [Bogført, Rentedato, Posteringstekst, Beløb i DKK, Saldo i DKK, Id]
separator: ","
encoding: utf-8
date_format: yyyy-mm-dd
decimal: "."
thousands: ""
columns: {date: Bogført, text: Posteringstekst, amount: Beløb i DKK, balance: Saldo i DKK,
          reference: Id}
"""


@pytest.mark.parametrize("how", ["--profile", "bank-profiles folder", "--format"])
def test_csv_profiles__a_user_adds_a_bank_without_code(
    example_copy: Path, tmp_path: Path, how: str
) -> None:
    month = february(example_copy, FEE)
    rows = ["Bogført,Rentedato,Posteringstekst,Beløb i DKK,Saldo i DKK,Id"]
    balance = month.opening
    for day, amount, ref in month.moves:
        balance += amount
        rows.append(f"{day},{day},Betaling,{amount:.2f},{balance:.2f},{ref}")
    statement = tmp_path / "aarhus-2018-02.csv"
    statement.write_text("\n".join(rows) + "\n", encoding="utf-8")
    profile = tmp_path / "sparekasse.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    args = [str(statement)]
    if how == "--profile":
        args += ["--profile", str(profile)]
    else:
        folder = example_copy.parent / "bank-profiles"
        folder.mkdir()
        (folder / "sparekasse.yaml").write_text(PROFILE, encoding="utf-8")
        if how == "--format":
            args += ["--format", "sparekasse"]
    code, out, err = run(example_copy, *args)
    assert code == 0, err
    assert re.search(r"unmatched line \d+ 2018-02-27 +-25\.00", out)
    assert aarhus(example_copy).read_text(encoding="utf-8").count('bank_ref: "FEE-0227"') == 1


def test_bank__format_names_the_format_and_an_unknown_one_is_refused(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy)
    path = tmp_path / "statement.dat"
    path.write_text(mt940(month), encoding="utf-8")
    code, out, err = run(example_copy, str(path), "--format", "mt940")
    assert code == 0 and "nothing new" in out, err
    code, _, err = run(example_copy, str(path), "--format", "camt053")
    assert code == 2 and f"{path}:1: not well-formed XML" in err
    code, _, err = run(example_copy, str(path), "--format", "sydbank")
    assert code == 2 and "no bank profile named 'sydbank'" in err
    assert "danske-bank, generic, nordea" in err


def test_bank__an_entry_the_books_hold_is_matched_whatever_the_format(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy)
    path = tmp_path / "s.xml"
    path.write_text(camt053(month), encoding="utf-8")
    code, out, _ = run(example_copy, str(path))
    assert code == 0 and out.count("  matched   line") == len(month.moves) == 9
    entries, _, _ = parser.parse_string(aarhus(example_copy).read_text(encoding="utf-8"))
    assert not [e for e in entries if isinstance(e, data.Transaction) and e.flag == "!"]


def test_bank__a_month_imported_again_from_a_bank_csv_without_references_adds_nothing(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE, INTEREST)
    xml = tmp_path / "statement.xml"
    xml.write_text(camt053(month), encoding="utf-8")
    assert run(example_copy, str(xml))[0] == 0
    after = aarhus(example_copy).read_bytes()
    csv = tmp_path / "aarhus-2018-02.csv"
    csv.write_bytes(danske_csv(month))
    code, out, err = run(example_copy, str(csv))
    assert code == 0, err
    assert "nothing new" in out, out
    assert aarhus(example_copy).read_bytes() == after


def test_bank__a_month_imported_from_a_bank_csv_then_as_camt053_adds_nothing(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE, INTEREST)
    csv = tmp_path / "aarhus-2018-02.csv"
    csv.write_bytes(danske_csv(month))
    assert run(example_copy, str(csv))[0] == 0
    after = aarhus(example_copy).read_bytes()
    xml = tmp_path / "statement.xml"
    xml.write_text(camt053(month), encoding="utf-8")
    code, out, err = run(example_copy, str(xml))
    assert code == 0, err
    assert "nothing new" in out and "0 bank line(s) unmatched" in out, out
    assert aarhus(example_copy).read_bytes() == after
