"""Bank statements made from the books for tests: the generic CSV shape, and the same
month as camt.053, MT940 and Danske Bank's CSV export."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from grantpool.bank.matching import candidates
from grantpool.books.banks import bank_changes
from grantpool.books.loading import load

HEADER = "Dato;Valør;Tekst;Beløb;Saldo;Reference"


def danish(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def number(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


def statement_lines(ledger: Path, bank: str, first: datetime.date, last: datetime.date,
                    extra: list[tuple[datetime.date, Decimal, str]] = ()) -> list[str]:
    """The bank's lines for the days first..last as the books have them, plus *extra*."""
    entries, _, _ = load(ledger)
    moves = [(t.date, bank_changes(t, {bank})[bank], "") for t in candidates(entries, bank)]
    balance = sum((a for d, a, _ in moves if d < first), Decimal(0))
    rows = [HEADER]
    period = sorted([m for m in moves if first <= m[0] <= last] + list(extra),
                    key=lambda m: m[0])
    for number, (day, amount, reference) in enumerate(period, 1):
        balance += amount
        ref = reference or f"REF-{day:%y%m}-{number:03d}"
        rows.append(f"{day:%d-%m-%Y};{day:%d-%m-%Y};Betaling;{danish(amount)};"
                    f"{danish(balance)};{ref}")
    return rows


def rebalance(rows: list[str]) -> list[str]:
    """*rows* (header first) with every Saldo the running balance from the first line's
    opening, as a bank would print them after a line was taken out or changed."""
    fields = [row.split(";") for row in rows[1:]]
    balance = number(fields[0][4]) - number(fields[0][3])
    out = [rows[0]]
    for field in fields:
        balance += number(field[3])
        out.append(";".join([*field[:4], danish(balance), *field[5:]]))
    return out


def write(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(rows) + "\n", encoding=encoding)
    return path


# ---- the same month as the banks deliver it: camt.053, MT940, Danske Bank's CSV ----

AARHUS_IBAN = "DK5000400440116243"  # the standard documentation example, no one's account
Move = tuple[datetime.date, Decimal, str]


def iban(country: str, bban: str) -> str:
    """A synthetic IBAN with valid check digits (ISO 13616) for *bban*."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


@dataclass(frozen=True)
class Month:
    iban: str
    opening: Decimal
    first: datetime.date
    last: datetime.date
    moves: list[Move]  # date order, each with the bank's reference

    @property
    def closing(self) -> Decimal:
        return self.opening + sum((m[1] for m in self.moves), Decimal(0))


def month_of(ledger: Path, bank: str, first: datetime.date, last: datetime.date,
             extra: list[Move] = (), account: str = AARHUS_IBAN) -> Month:
    """The bank's month first..last as the books have it, plus *extra*."""
    entries, _, _ = load(ledger)
    moves = [(t.date, bank_changes(t, {bank})[bank], "") for t in candidates(entries, bank)]
    opening = sum((a for d, a, _ in moves if d < first), Decimal(0))
    period = sorted([m for m in moves if first <= m[0] <= last] + list(extra),
                    key=lambda m: m[0])
    numbered = [(day, amount, ref or f"REF-{day:%y%m}-{n:03d}")
                for n, (day, amount, ref) in enumerate(period, 1)]
    return Month(account, opening, first, last, numbered)


def _camt_amount(amount: Decimal) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return f'<Amt Ccy="DKK">{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'


def _camt_balance(kind: str, amount: Decimal, day: datetime.date) -> str:
    return (f"<Bal><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp>{_camt_amount(amount)}"
            f"<Dt><Dt>{day}</Dt></Dt></Bal>")


def camt_statement(month: Month, version: int = 2, text: str = "Betaling",
                   ident: str = "") -> str:
    """One ``Stmt`` element of *month*, one element a line as banks write them."""
    status = "<Sts><Cd>BOOK</Cd></Sts>" if version >= 8 else "<Sts>BOOK</Sts>"
    rows = ["<Stmt>", f"<Id>{ident or f'STMT-{month.first:%y%m}'}</Id>",
            f"<CreDtTm>{month.last}T23:00:00</CreDtTm>",
            f"<Acct><Id><IBAN>{month.iban}</IBAN></Id><Ccy>DKK</Ccy></Acct>",
            _camt_balance("OPBD", month.opening, month.first),
            _camt_balance("CLBD", month.closing, month.last)]
    for n, (day, amount, ref) in enumerate(month.moves, 1):
        rows += ["<Ntry>", f"<NtryRef>{n}</NtryRef>", _camt_amount(amount), status,
                 f"<BookgDt><Dt>{day}</Dt></BookgDt>", f"<ValDt><Dt>{day}</Dt></ValDt>",
                 f"<AcctSvcrRef>{ref}</AcctSvcrRef>",
                 "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>DMCT</SubFmlyCd>"
                 "</Fmly></Domn></BkTxCd>",
                 f"<NtryDtls><TxDtls><Refs><EndToEndId>E2E-{ref}</EndToEndId></Refs>"
                 f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls>",
                 f"<AddtlNtryInf>{text}</AddtlNtryInf>", "</Ntry>"]
    return "\n".join([*rows, "</Stmt>"])


def camt053(*months: Month, version: int = 2, text: str = "Betaling") -> str:
    """A camt.053.001.0*version* document of *months* (one ``Stmt`` each)."""
    body = "\n".join(camt_statement(m, version, text, f"STMT-{i}-{m.first:%y%m}")
                     for i, m in enumerate(months, 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.0{version}">\n'
            f"<BkToCstmrStmt>\n<GrpHdr><MsgId>MSG-{months[0].first:%y%m}</MsgId>"
            f"<CreDtTm>{months[-1].last}T23:00:00</CreDtTm></GrpHdr>\n{body}\n"
            f"</BkToCstmrStmt>\n</Document>\n")


def _swift(amount: Decimal) -> str:
    return f"{abs(amount):.2f}".replace(".", ",")


def mt940(*months: Month, text: str = "Betaling", envelope: bool = False) -> str:
    """An MT940 message of *months* (one statement each, :20: to :62F:)."""
    rows = []
    for n, month in enumerate(months, 1):
        if envelope:
            rows.append("{1:F01DABADKKKAXXX0000000000}{2:I940DABADKKKXXXXN}{4:")
        opening_day = month.first - datetime.timedelta(days=1)
        rows += [f":20:STMT{n}-{month.first:%y%m}", f":25:DABADKKK/{month.iban}",
                 f":28C:{month.first:%m}/1",
                 f":60F:{'C' if month.opening >= 0 else 'D'}{opening_day:%y%m%d}DKK"
                 f"{_swift(month.opening)}"]
        for day, amount, ref in month.moves:
            mark = "C" if amount >= 0 else "D"
            rows += [f":61:{day:%y%m%d}{day:%m%d}{mark}{_swift(amount)}NTRFNONREF//{ref}",
                     f":86:{text}"]
        closing = month.closing
        rows += [f":62F:{'C' if closing >= 0 else 'D'}{month.last:%y%m%d}DKK{_swift(closing)}",
                 f":64:{'C' if closing >= 0 else 'D'}{month.last:%y%m%d}DKK{_swift(closing)}"]
        if envelope:
            rows.append("-}")
    return "\r\n".join(rows) + "\r\n"


def danske_csv(month: Month, text: str = "Betaling") -> bytes:
    """Danske Bank's netbank export of *month*: quoted, ';', dd.mm.yyyy, Windows-1252."""
    rows = ['"Dato";"Tekst";"Beløb";"Saldo";"Status";"Afstemt"']
    balance = month.opening
    for day, amount, _ in month.moves:
        balance += amount
        rows.append(f'"{day:%d.%m.%Y}";"{text}";"{danish(amount)}";"{danish(balance)}";'
                    f'"Udført";"Nej"')
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def with_iban(ledger: Path, municipality: str, account: str) -> None:
    """Give the municipality's bank account *account* as its ``iban:`` metadata on its
    open (replacing the synthetic one the generator writes)."""
    path = ledger.parent / "municipalities" / municipality.lower() / "books.beancount"
    opening = (f"open Assets:Municipality:{municipality}:Bank DKK\n"
               f'  municipality: "{municipality}"\n')
    text = path.read_text(encoding="utf-8")
    assert opening in text
    text = re.sub(re.escape(opening) + r'(  iban: "[^"]*"\n)?',
                  lambda _: f'{opening}  iban: "{account}"\n', text, count=1)
    path.write_text(text, encoding="utf-8")
