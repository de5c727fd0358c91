"""``grantpool accounts``: a municipality's grant accounts (tilskudsregnskab) as CSV and
XLSX, from its own books (on a federation, only its books are loaded)."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.cli.oneline import fail
from grantpool.federation.discover import NotAFederation
from grantpool.federation.discover import find as federation_of
from grantpool.federation.transfers import slug
from grantpool.figures.render import citizen_cap


@click.command("accounts")
@click.argument("municipality")
@click.option("--ledger", type=click.Path(path_type=Path), default=Path("ledger/main.beancount"),
              show_default=True)
@click.option("--year", type=int, default=None, help="One calendar year of the project.")
@click.option("--period", "whole", is_flag=True, help="The whole project period (final).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("accounts"),
              show_default=True, help="Folder for the CSV and XLSX files.")
@click.option("--language", type=click.Choice(["da", "en"]), default=None,
              help="Language of the files (default: the pool's `language:`).")
@click.option("--csv-dialect", "dialect", type=click.Choice(["plain", "excel-da"]),
              default="plain", show_default=True,
              help="excel-da: semicolons, decimal comma, dd-mm-yyyy and a BOM, for Danish "
                   "spreadsheets.")
def accounts_command(municipality: str, ledger: Path, year: int | None, whole: bool, out: Path,
             language: str | None, dialect: str) -> None:
    """The grant accounts (tilskudsregnskab) of MUNICIPALITY as CSV and XLSX."""
    if (year is None) == (not whole):
        fail("give exactly one of --year YYYY or --period")
        return
    from grantpool.audit.accounts_files import write_for_pool  # noqa: PLC0415 (openpyxl: load late)
    from grantpool.audit.grant_accounts import grant_accounts, period_of  # noqa: PLC0415

    try:
        federation = federation_of(ledger)
        if federation:
            entity = federation.municipality(municipality)
            if entity is None:
                fail(f"no grant to {municipality!r} in the books in {federation.root}: "
                     f"give one of {federation.names()}")
                return
            if missing := entity.missing():
                fail(missing)
                return
            ledger, municipality = entity.main, entity.name
        books = open_books(ledger, datetime.date.today())
        period = period_of(books.rules.pool, year)
        result = grant_accounts(books.entries, books.rules.pool, municipality, period,
                                citizen_cap(books.rules))
    except (CannotLoad, NoRules, NotAFederation, ValueError) as exc:
        fail(str(exc))
        return
    stem = f"{slug(municipality)}-{year if year is not None else 'period'}"
    for path in write_for_pool(result, books.rules.pool, out, stem, language, dialect):
        click.echo(f"wrote {path}")
