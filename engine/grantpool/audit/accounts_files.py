"""The grant accounts as files: CSV (accounts and per-citizen statement) and an
XLSX workbook (openpyxl) with both sheets.  The same books and period give the
same bytes: no clock time goes into a file."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from grantpool.audit.grant_accounts import GrantAccounts
from grantpool.figures.report import Row
from grantpool.generate.writer import write_atomic

CITIZEN_COLUMNS = ("citizen", "granted", "committed", "spent", "returned", "remaining",
                   "window_start", "window_end", "status")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest date, for every member


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def accounts_csv(accounts: GrantAccounts) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "line", "amount", "note"])
    for line in accounts.lines:
        writer.writerow([line.section, line.label, _cell(line.amount), line.note])
    return out.getvalue()


def citizens_csv(rows: tuple[Row, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CITIZEN_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, c)) for c in CITIZEN_COLUMNS])
    return out.getvalue()


def accounts_xlsx(accounts: GrantAccounts, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Accounts"
    sheet.append([title])
    sheet.append([f"{accounts.municipality}, {accounts.period.start} .. {accounts.period.end}"])
    sheet.append([])
    sheet.append(["Section", "Line", "Amount", "Note"])
    for line in accounts.lines:
        sheet.append([line.section, line.label, line.amount, line.note])
    for row in sheet.iter_rows(min_row=5, min_col=3, max_col=3):
        row[0].number_format = "#,##0.00"
    sheet.column_dimensions["B"].width = 52
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 60
    people = book.create_sheet("Citizens")
    people.append([c.replace("_", " ") for c in CITIZEN_COLUMNS])
    for row in accounts.citizens:
        people.append([getattr(row, c) for c in CITIZEN_COLUMNS])
    stamp = datetime.datetime.combine(accounts.period.end, datetime.time())
    book.properties.created = book.properties.modified = stamp
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


def write_accounts(accounts: GrantAccounts, title: str, folder: Path, stem: str) -> list[Path]:
    """Write ``stem.csv``, ``stem-citizens.csv`` and ``stem.xlsx`` atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.csv", folder / f"{stem}-citizens.csv", folder / f"{stem}.xlsx"]
    write_atomic(paths[0], accounts_csv(accounts))
    write_atomic(paths[1], citizens_csv(accounts.citizens))
    _write_bytes(paths[2], accounts_xlsx(accounts, title))
    return paths


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
