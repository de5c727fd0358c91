"""``grantpool init`` (new, empty books of a pool) and ``grantpool allocate``
(applications become grants, written under the rules' checks)."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

import click

from grantpool.books import chart as acc
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules
from grantpool.books.writing import WriteRefused
from grantpool.cli.oneline import fail
from grantpool.entry.allocate import Allocation, load_applications
from grantpool.entry.allocate_books import record_allocation
from grantpool.entry.entries import EntryError
from grantpool.entry.guard import Refused
from grantpool.federation.discover import find
from grantpool.federation.layout import (
    BOOKS,
    MAIN,
    POOL_DIR,
    consolidated_text,
    entity_text,
    rules_from,
)
from grantpool.generate.model import Balance, BookFile
from grantpool.generate.pool_file import pool_opening
from grantpool.generate.writer import file_text, write_atomic
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.shipped import UnknownPool, load_named
from grantpool.rules.yamlsrc import location


@click.command("init")
@click.option("--rules", type=click.Path(path_type=Path), default=Path("dk2017"),
              show_default=True,
              help="The pool: a shipped pool's id (dk2017, dk2022, uk2009) or a rules file.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("ledger"),
              show_default=True)
def init_command(rules: Path, out: Path) -> None:
    """New books of the pool in RULES: the appropriation, nothing granted yet.

    A shipped pool named by its id is copied into the books as ``rules.yaml``; a
    rules file named by its path is declared where it stands.
    """
    try:
        ruleset, shipped = load_named(rules)
    except UnknownPool as exc:
        fail(str(exc))
        return
    rules = Path(ruleset.filename)
    books = f"{POOL_DIR}/{BOOKS}"
    written = [MAIN, f"{POOL_DIR}/{MAIN}", books, *(["rules.yaml"] if shipped else [])]
    if there := [name for name in written if (out / name).exists()]:
        fail(f"{out / there[0]} exists; init makes new books only (in a new folder)")
    pool = ruleset.pool
    header = "Made by `grantpool init`; entries are added by grantpool's commands."
    declared = "rules.yaml" if shipped else os.path.relpath(rules.resolve(), out.resolve())
    if shipped:
        write_atomic(out / "rules.yaml", rules.read_text(encoding="utf-8"))
    # The appropriation is in the pool's bank from its first day: the statement's balance
    # the next morning is asserted, so new books pass ``check`` until the next movement.
    opened = pool_opening(pool)
    opened.append(Balance(pool.appropriation_date + datetime.timedelta(days=1),
                          acc.POOL_BANK, pool.appropriation))
    book = BookFile(books, f"The pool: {pool.name}", opened)
    write_atomic(out / books, file_text(book, pool.currency, header))
    write_atomic(out / POOL_DIR / MAIN, entity_text(pool, "pool", pool.id, header,
                                                    rules_from(POOL_DIR, declared)))
    write_atomic(out / MAIN, consolidated_text(pool, [books], header, declared))
    click.echo(f"wrote {out / MAIN} (consolidated) and the pool's own books in "
               f"{out / POOL_DIR}")


def table(allocations: list[Allocation], pool: PoolDef) -> str:
    rows = [("municipality", "applied", "courses asked", "courses granted", "grant", "note")]
    rows += [(a.application.municipality, str(a.application.date), str(a.application.courses),
              str(a.courses), f"{a.amount(pool):.2f}", a.note) for a in allocations]
    total = sum((a.amount(pool) for a in allocations), Decimal(0))
    rows.append(("total", "", "", str(sum(a.courses for a in allocations)), f"{total:.2f}",
                 f"of {pool.application_pool:.2f} in the application pool"))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


@click.command("allocate")
@click.argument("applications", type=click.Path(path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path),
              default=Path("ledger/main.beancount"), show_default=True,
              help="The federation's books: their folder or consolidated main file.")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The award date (tilsagn); default today.")
@click.option("--dry-run", is_flag=True, help="Print the allocation; write nothing.")
def allocate_command(applications: Path, ledger: Path, day: datetime.datetime | None,
                     dry_run: bool) -> None:
    """Turn APPLICATIONS (YAML) into grants with their tranches, under the pool's rules:
    each new municipality's own books, their include in the consolidated main file, and
    the pool's halves in the pool's books."""
    federation = find(ledger)
    if federation is None:
        fail(f"{ledger}: not a federation's books (a main.beancount with pool/main.beancount "
              f"beside it); make new books with `grantpool init`")
        return
    apps, errors = load_applications(applications)
    if errors:
        fail("; ".join(f"{location(e.source)}: {e.message}" for e in errors))
    award = day.date() if day else datetime.date.today()
    try:
        done = record_allocation(federation, apps, award, datetime.date.today(), dry_run,
                                 lambda result, pool: click.echo(table(result, pool)))
    except Refused as exc:
        click.echo("refused: the grants would add these errors; nothing was written", err=True)
        for finding in exc.findings:
            click.echo(f"  {finding.to_text()}", err=True)
        raise SystemExit(1) from exc
    except (CannotLoad, NoRules, EntryError, WriteRefused) as exc:
        fail(str(exc))
        return
    for warning in done.verdict.warnings:
        click.echo(f"warning: {warning.to_text()}", err=True)
    click.echo("dry run: nothing written" if dry_run else f"wrote {done.changes} change(s)")
