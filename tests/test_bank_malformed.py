"""Every kind of broken camt.053, MT940 and bank profile is refused whole, with one
line naming the file and the line (and the XML path or field) of the fault, never a
CPR-like number it holds: exit 2, and the books byte-identical."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.statements import AARHUS_IBAN, camt053, danske_csv, iban, mt940
from tests.test_bank_formats import FEE, february, run

Change = Callable[[str], str]
CPR = "010190-1234"  # synthetic, only as detection input
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol3;</Document>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&xxe;</Document>
"""


def books(ledger: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in ledger.parent.rglob("*.beancount")}


def replace(old: str, new: str, count: int = 1) -> Change:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)
    return change


def second_entry_twice(text: str) -> str:
    start = text.index("<Ntry>", text.index("<Ntry>") + 1)
    entry = text[start:text.index("</Ntry>", start) + len("</Ntry>")]
    return text.replace(entry, entry + "\n" + entry, 1)


# change, the text on the line the error must name, what the message says
CAMT: dict[str, tuple[Change, str, str]] = {
    "malformed XML": (lambda t: t.replace("</AcctSvcrRef>", "</AcctSvcrRf>", 1),
                      "</AcctSvcrRf>", "not well-formed XML (mismatched tag"),
    "truncated file": (lambda t: t[: t.index("</Stmt>")], "@end", "not well-formed XML (no "
                       "element found"),
    "billion laughs": (lambda t: LAUGHS, "<!DOCTYPE", "declares a document type"),
    "external entity (XXE)": (lambda t: XXE, "<!DOCTYPE", "declares a document type"),
    "camt.052, not a statement": (replace("camt.053.001.02", "camt.052.001.02"), "<Document",
                                  "not a camt.053 statement"),
    "version 001.09": (replace("camt.053.001.02", "camt.053.001.09"), "<Document",
                       "not a camt.053 statement"),
    "no namespace": (replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"', ""),
                     "<Document", "/Document in no namespace"),
    "balances do not add up": (replace("<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"DKK\">",
                                       "<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"DKK\">1"),
                               "<Cd>CLBD</Cd>", "/Document/BkToCstmrStmt/Stmt/Bal[2]: the "
                               "closing balance"),
    "missing closing balance": (lambda t: "\n".join(x for x in t.split("\n") if "CLBD" not in x),
                                "<Stmt>", "/Document/BkToCstmrStmt/Stmt/Bal: no CLBD balance"),
    "two opening balances": (lambda t: t.replace(
        t.split("\n")[8], t.split("\n")[8] + "\n" + t.split("\n")[8], 1), "<Cd>OPBD</Cd>@2",
        "more than one OPBD"),
    "duplicate entry": (second_entry_twice, "<Ntry>@3",
                        "the bank's entry reference appears twice"),
    "statement twice": (lambda t: t.replace("</Stmt>", "</Stmt>\n" + t[t.index("<Stmt>"):
                                            t.index("</Stmt>") + 7], 1),
                        "<Stmt>\n<Id>STMT-1-1802</Id>\n<CreDtTm>2018-02-28T23:00:00</CreDtTm>\n"
                        "<Acct><Id><IBAN>DK5000400440116243</IBAN></Id><Ccy>DKK</Ccy></Acct>"
                        "\n" + "x", "the statement Id appears twice"),
    "no statement": (lambda t: t[: t.index("<Stmt>")] + "</BkToCstmrStmt>\n</Document>\n",
                     "<Document", "no statement in the file"),
    "IBAN check digits": (replace(AARHUS_IBAN, "DK5100400440116243"), "<IBAN>",
                          "Stmt/Acct/Id/IBAN: the IBAN fails its check digits"),
    "unknown IBAN": (replace(AARHUS_IBAN, iban("DK", "00400440116299")), "<Stmt>",
                     "which no bank account of"),
    "amount with a decimal comma": (replace('">2350.00<', '">2.350,00<'), '">2.350,00<',
                                    "Amt: not an amount like 2350.00"),
    "sign neither CRDT nor DBIT": (replace("<CdtDbtInd>DBIT<", "<CdtDbtInd>D<"), "<Ntry>",
                                   "CdtDbtInd: must be CRDT or DBIT"),
    "no such day": (replace("<BookgDt><Dt>2018-02-08", "<BookgDt><Dt>2018-02-30"),
                    "<BookgDt><Dt>2018-02-30", "BookgDt: not a date like 2018-02-08"),
    "another currency": (replace('<Amt Ccy="DKK">2350.00', '<Amt Ccy="EUR">2350.00'),
                         '<Amt Ccy="EUR">', "in 'EUR', the statement's account is in 'DKK'"),
    "CPR in the free text": (replace("<AddtlNtryInf>Betaling", f"<AddtlNtryInf>Til {CPR}"),
                             "<AddtlNtryInf>Til", "Ntry/AddtlNtryInf holds a CPR-like number"),
    "CPR in an attribute": (replace('<Amt Ccy="DKK">2350.00', f'<Amt Ccy="DKK" x="{CPR}">'
                                                              "2350.00"),
                            f'x="{CPR}"', "Ntry/Amt/@x holds a CPR-like number"),
}


def expected_line(text: str, marker: str) -> int:
    """The line of *marker* in *text*: ``TEXT@n`` its n-th occurrence, ``@end`` the last."""
    if marker == "@end":
        return text.count("\n") + 1
    found, _, nth = marker.partition("@")
    at = -1
    for _ in range(int(nth or 1)):
        at = text.index(found, at + 1)
    return text[:at].count("\n") + 1


@pytest.mark.parametrize(("change", "marker", "message"), CAMT.values(), ids=CAMT)
def test_camt053__a_broken_statement_is_refused_with_its_line_and_xml_path(
    example_copy: Path, tmp_path: Path, change: Change, marker: str, message: str
) -> None:
    month = february(example_copy, FEE)
    before = books(example_copy)
    text = change(camt053(month))
    if marker.endswith("\nx"):  # the second of two equal statements
        first = text.index("<Stmt>")
        line = text[: text.index("<Stmt>", first + 1)].count("\n") + 1
    else:
        line = expected_line(text, marker)
    statement = tmp_path / "statement.xml"
    statement.write_text(text, encoding="utf-8")
    code, out, err = run(example_copy, str(statement))
    assert (code, out) == (2, ""), err
    assert err.startswith(f"grantpool: {statement}:{line}: "), err
    assert message in err and err.endswith("the statement was not imported\n"), err
    assert err.count("\n") == 1 and "Traceback" not in err and "010190" not in err
    assert "passwd" not in err and "lol" not in err
    assert books(example_copy) == before


def _lines(change: Callable[[list[str]], list[str]]) -> Change:
    return lambda text: "\r\n".join(change(text.split("\r\n")))


MT940: dict[str, tuple[Change, str, str]] = {
    "unknown field": (replace(":28C:02/1", ":99:X"), ":99:", ":99: is not a field of an MT940"),
    "no closing balance": (_lines(lambda rows: [r for r in rows if not r.startswith(":62F:")]),
                           ":20:", "has no :62F: (the closing balance)"),
    "no opening balance": (_lines(lambda rows: [r for r in rows if not r.startswith(":60F:")]),
                           ":20:", "has no :60F: (the opening balance)"),
    "closing before the lines": (_lines(lambda rows: [rows[0], rows[1], rows[2], rows[3],
                                                      rows[-3], *rows[4:-3], rows[-2]]),
                                 ":61:", ":61: out of order or repeated"),
    ":86: before any line": (_lines(lambda rows: [*rows[:4], ":86:Betaling", *rows[4:]]),
                             ":86:", ":86: must follow a :61: line"),
    "text before the first field": (lambda t: "Kontoudtog\r\n" + t, "Kontoudtog",
                                    "text before the first field"),
    "a line's amount is not a number": (replace("D2350,00NTRF", "D23X0,00NTRF"), "D23X0",
                                        ":61: does not fit the MT940 layout"),
    "an amount of commas": (replace("D2350,00NTRF", "D2,3,5NTRF"), "D2,3,5",
                            ":61: does not fit the MT940 layout"),
    "a statement number that is none": (replace(":28C:02/1", ":28C:02/X1"), ":28C:",
                                        ":28C: does not fit the MT940 layout"),
    "a month 13": (replace(":60F:C180131", ":60F:C181331"), ":60F:",
                   ":60F: does not fit the MT940 layout"),
    "balances do not add up": (lambda t: t.replace(":62F:C180228DKK", ":62F:C180228DKK1", 1),
                               ":62F:", "field 62F: the closing balance"),
    "duplicate line": (_lines(lambda rows: [*rows[:8], *rows[6:8], *rows[8:]]),
                       "//REF-1802-002@2", "appears twice"),
    "CPR in :86:": (replace(":86:Betaling", f":86:Til {CPR}"), ":86:Til",
                    "field 86 holds a CPR-like number"),
    "CPR on a :86: continuation line": (replace(":86:Betaling", f":86:Betaling\r\n{CPR}"),
                                        CPR, "field 86 holds a CPR-like number"),
    "IBAN check digits": (replace(AARHUS_IBAN, "DK5100400440116243"), ":25:",
                          ":25:: the IBAN fails its check digits"),
}


@pytest.mark.parametrize(("change", "marker", "message"), MT940.values(), ids=MT940)
def test_mt940__a_broken_statement_is_refused_with_its_line(
    example_copy: Path, tmp_path: Path, change: Change, marker: str, message: str
) -> None:
    month = february(example_copy, FEE)
    before = books(example_copy)
    text = change(mt940(month))
    line = expected_line(text, marker)
    statement = tmp_path / "statement.sta"
    statement.write_text(text, encoding="utf-8", newline="")
    code, out, err = run(example_copy, str(statement))
    assert (code, out) == (2, ""), err
    assert err.startswith(f"grantpool: {statement}:{line}: "), err
    assert message in err and err.endswith("the statement was not imported\n"), err
    assert err.count("\n") == 1 and "Traceback" not in err and "010190" not in err
    assert books(example_copy) == before


GOOD_PROFILE = """\
name: sparekasse
header: [Dato, Tekst, Beløb, Saldo]
separator: ";"
encoding: utf-8
date_format: dd-mm-yyyy
decimal: ","
columns: {date: Dato, text: Tekst, amount: Beløb, balance: Saldo}
"""
PROFILES: dict[str, tuple[str, int, str]] = {
    "not YAML": (GOOD_PROFILE.replace("decimal: \",\"", "decimal: [\",\""), 7, "not a YAML "
                 "mapping"),
    "not a mapping": ("- name\n- header\n", 1, "a bank profile is a YAML mapping"),
    "unknown key": (GOOD_PROFILE + "sheet: 1\n", 8, "'sheet': not a profile key"),
    "key twice": (GOOD_PROFILE + "name: other\n", 8, "'name': named twice"),
    "missing key": (GOOD_PROFILE.replace("encoding: utf-8\n", ""), 1,
                    "missing key(s) encoding"),
    "column not in the header": (GOOD_PROFILE.replace("balance: Saldo", "balance: Saldo i DKK"),
                                 7, "columns: balance names a column the header does not have"),
    "a column left out": (GOOD_PROFILE.replace(", balance: Saldo", ""), 7,
                          "columns: names date, text, amount, balance"),
    "bad date format": (GOOD_PROFILE.replace("dd-mm-yyyy", '"%d-%m-%Y"'), 5, "date_format:"),
    "unknown encoding": (GOOD_PROFILE.replace("utf-8", "utf-99"), 4, "encoding: not a text"),
    "decimal as thousands": (GOOD_PROFILE + 'thousands: ","\n', 6, "not the decimal"),
    "anchors and aliases": (GOOD_PROFILE.replace("header: [", "header: &h [") + "x: *h\n", 2,
                            "anchors and aliases"),
    "a Python tag": (GOOD_PROFILE.replace("name: sparekasse",
                                          "name: !!python/object:os.system sparekasse"), 1,
                     "YAML tags (!...) are not allowed"),
    "CPR in a profile": (GOOD_PROFILE.replace("Tekst, Beløb", f"Tekst {CPR}, Beløb"), 2,
                         "holds a CPR-like number"),
}


@pytest.mark.parametrize(("content", "line", "message"), PROFILES.values(), ids=PROFILES)
def test_csv_profiles__a_bad_profile_is_refused_with_its_line(
    example_copy: Path, tmp_path: Path, content: str, line: int, message: str
) -> None:
    before = books(example_copy)
    statement = tmp_path / "aarhus-2018-02.csv"
    statement.write_text("Dato;Tekst;Beløb;Saldo\n08-02-2018;Betaling;-1,00;1,00\n",
                         encoding="utf-8")
    profile = tmp_path / "sparekasse.yaml"
    profile.write_text(content, encoding="utf-8")
    code, out, err = run(example_copy, str(statement), "--profile", str(profile))
    assert (code, out) == (2, ""), err
    assert err.startswith(f"grantpool: {profile}:{line}: "), err
    assert message in err and err.count("\n") == 1 and "010190" not in err, err
    assert books(example_copy) == before


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [(lambda rows: [*rows[:3], rows[3].replace('"-', '"-1'), *rows[4:]], 4, "does not add up"),
     (lambda rows: [*rows[:2], rows[2].replace('"Nej"', f'"{CPR}"'), *rows[3:]], 3,
      "column 6 (Afstemt) holds a CPR-like number"),
     (lambda rows: [*rows[:2], rows[2].replace(".2018", ".18", 1), *rows[3:]], 3,
      "'09.02.18' is not a date like 08.02.2018 (dd.mm.yyyy)")],
    ids=["saldo does not add up", "CPR in a column the profile ignores", "a two-digit year"],
)
def test_danske_bank__a_broken_export_is_refused_with_its_line(
    example_copy: Path, tmp_path: Path, change: Callable[[list[str]], list[str]], line: int,
    message: str
) -> None:
    month = february(example_copy, FEE)
    before = books(example_copy)
    rows = change(danske_csv(month).decode("cp1252").split("\r\n"))
    statement = tmp_path / "aarhus-2018-02.csv"
    statement.write_bytes("\r\n".join(rows).encode("cp1252"))
    code, out, err = run(example_copy, str(statement))
    assert (code, out) == (2, ""), err
    assert err.startswith(f"grantpool: {statement}:{line}: "), err
    assert message in err and "010190" not in err
    assert books(example_copy) == before


def test_csv_profiles__a_broken_profile_in_the_books_folder_keeps_out_no_camt053_statement(
    example_copy: Path, tmp_path: Path
) -> None:
    month = february(example_copy, FEE)
    folder = example_copy.parent / "bank-profiles"
    folder.mkdir()
    (folder / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    statement = tmp_path / "statement.xml"
    statement.write_text(camt053(month), encoding="utf-8")
    code, _, err = run(example_copy, str(statement))
    assert code == 0, err
    csv = tmp_path / "aarhus-2018-02.csv"
    csv.write_text("Dato;Tekst;Beløb;Saldo\n", encoding="utf-8")
    code, _, err = run(example_copy, str(csv))
    assert code == 2 and err.startswith(f"grantpool: {folder / 'broken.yaml'}:2: "), err
