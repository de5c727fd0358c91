"""The grant accounts as files: CSV (accounts and per-citizen statement) and an
XLSX workbook (openpyxl) with both sheets.  The same books and period give the
same bytes: no clock time goes into a file.

In the reader's language (``lang``: the pool's ``language`` unless asked otherwise;
Danish in the ministry's terms, through ``grantpool.i18n``), and the CSV in a
``dialect``: ``plain`` (comma, decimal point, ISO dates) or ``excel-da`` for Danish
spreadsheets (semicolon, decimal comma, dd-mm-yyyy, a BOM, CRLF)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from grantpool.audit.grant_accounts import GrantAccounts, Line
from grantpool.figures.report import Row
from grantpool.generate.writer import write_atomic
from grantpool.i18n import Translator, translator
from grantpool.i18n import language as choose
from grantpool.i18n.accounts import (
    COLUMNS,
    PERIOD,
    SECTIONS,
    SHEETS,
    STATUS,
    TITLE,
    label,
    translate,
)
from grantpool.i18n.formats import plain_number
from grantpool.rules.pooldef import PoolDef

CITIZEN_COLUMNS = ("citizen", "granted", "committed", "spent", "returned", "remaining",
                   "window_start", "window_end", "status")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date, for every member


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal_comma: bool
    bom: bool
    newline: str
    danish_dates: bool


DIALECTS = {"plain": Dialect(",", False, False, "\n", False),
            "excel-da": Dialect(";", True, True, "\r\n", True)}


@dataclass(frozen=True)
class Words:
    """What the files say, in one language: ``t`` and the pool's category names."""

    t: Translator
    pool: PoolDef | None = None

    def category(self, code: str) -> str:
        found = self.pool.category(code) if self.pool else None
        return found.label(self.t.lang) if found else code

    def text(self, value: str) -> str:
        return translate(value, self.t)

    def label(self, line: Line) -> str:
        return label(getattr(line, "key", ""), line.label, self.t, self.category)

    def column(self, name: str) -> str:
        return self.t(COLUMNS[name]) if self.t.lang != "en" else name


def words(lang: str = "en", pool: PoolDef | None = None) -> Words:
    return Words(translator(lang), pool)


def title_for(pool_name: str, lang: str) -> str:
    """The workbook's title line: "Tilskudsregnskab: <pool>" in Danish."""
    return translator(lang)(TITLE, pool=pool_name)


def _cell(value: object, dialect: Dialect = DIALECTS["plain"],
          say: Callable[[str], str] = str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value, dialect.decimal_comma)
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y") if dialect.danish_dates else value.isoformat()
    return say(str(value))


def _csv(rows: list[list[str]], dialect: Dialect) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator=dialect.newline)
    writer.writerows(rows)
    return ("\ufeff" if dialect.bom else "") + out.getvalue()


def accounts_csv(accounts: GrantAccounts, say: Words | None = None,
                 dialect: str = "plain") -> str:
    w, d = say or words(), DIALECTS[dialect]
    rows = [[w.column(c) for c in ("section", "line", "amount", "note")]]
    rows += [[w.t(SECTIONS.get(line.section, line.section)), w.label(line),
              _cell(line.amount, d), w.text(line.note)] for line in accounts.lines]
    return _csv(rows, d)


def _status(w: Words) -> Callable[[str], str]:
    return lambda code: w.t(STATUS[code]) if code in STATUS and w.t.lang != "en" else code


def citizens_csv(rows: tuple[Row, ...], say: Words | None = None,
                 dialect: str = "plain") -> str:
    w, d = say or words(), DIALECTS[dialect]
    out = [[w.column(c) for c in CITIZEN_COLUMNS]]
    out += [[_cell(getattr(row, c), d, _status(w)) for c in CITIZEN_COLUMNS] for row in rows]
    return _csv(out, d)


def accounts_xlsx(accounts: GrantAccounts, title: str, say: Words | None = None) -> bytes:
    w = say or words()
    book = Workbook()
    sheet = book.active
    sheet.title = w.t(SHEETS["Accounts"])
    sheet.append([title])
    period = accounts.period
    sheet.append([w.t(PERIOD, municipality=accounts.municipality, start=period.start,
                      end=period.end) if w.t.lang != "en"
                  else f"{accounts.municipality}, {period.start} .. {period.end}"])
    sheet.append([])
    sheet.append([w.column(c).capitalize() for c in ("section", "line", "amount", "note")])
    for line in accounts.lines:
        sheet.append([w.t(SECTIONS.get(line.section, line.section)), w.label(line),
                      line.amount, w.text(line.note)])
    for row in sheet.iter_rows(min_row=5, min_col=3, max_col=3):
        row[0].number_format = "#,##0.00"
    sheet.column_dimensions["B"].width = 52
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 60
    people = book.create_sheet(w.t(SHEETS["Citizens"]))
    people.append([w.column(c).replace("_", " ") for c in CITIZEN_COLUMNS])
    status = _status(w)
    for row in accounts.citizens:
        people.append([status(v) if c == "status" else v
                       for c, v in ((c, getattr(row, c)) for c in CITIZEN_COLUMNS)])
    stamp = datetime.datetime.combine(accounts.period.end, datetime.time())
    book.properties.created = book.properties.modified = stamp
    book.properties.language = w.t.lang
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue(), stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_zip(data: bytes, stamp: str) -> bytes:
    """The same zip with every member's time fixed, and the workbook's "modified"
    (which openpyxl sets to the clock when it saves) set to *stamp*."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp.encode() + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def write_accounts(accounts: GrantAccounts, title: str, folder: Path, stem: str,
                   say: Words | None = None, dialect: str = "plain") -> list[Path]:
    """Write ``stem.csv``, ``stem-citizens.csv`` and ``stem.xlsx`` atomically, in the
    language of *say* (English by default) and the CSV *dialect*."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.csv", folder / f"{stem}-citizens.csv", folder / f"{stem}.xlsx"]
    write_atomic(paths[0], accounts_csv(accounts, say, dialect))
    write_atomic(paths[1], citizens_csv(accounts.citizens, say, dialect))
    _write_bytes(paths[2], accounts_xlsx(accounts, title, say))
    return paths


def write_for_pool(accounts: GrantAccounts, pool: PoolDef, folder: Path, stem: str,
                   language: str | None = None, dialect: str = "plain") -> list[Path]:
    """``write_accounts`` in *language* (default: the pool's), titled with the pool."""
    lang = choose(language, pool.language)
    return write_accounts(accounts, title_for(pool.name, lang), folder, stem,
                          words(lang, pool), dialect)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
