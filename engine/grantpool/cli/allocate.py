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
from grantpool.books.opening import NoRules, open_books
from grantpool.books.writing import WriteRefused
from grantpool.entry.allocate import Allocation, allocate, load_applications
from grantpool.entry.guard import Refused, checked_write_many, judged_as_of
from grantpool.figures.levels import figures
from grantpool.generate.books import slug
from grantpool.generate.model import Balance, BookFile
from grantpool.generate.muni_file import grant_opens
from grantpool.generate.pool_file import grant_entries, pool_opening
from grantpool.generate.run import main_text
from grantpool.generate.writer import file_text, render, write_atomic
from grantpool.rules.pooldef import PoolDef
from grantpool.rules.shipped import UnknownPool, load_named
from grantpool.rules.yamlsrc import location


def _fail(message: str) -> None:
    click.echo(f"grantpool: {message}", err=True)
    raise SystemExit(2)


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
        _fail(str(exc))
        return
    rules = Path(ruleset.filename)
    if (out / "main.beancount").exists():
        _fail(f"{out / 'main.beancount'} exists; init makes new books only")
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
    book = BookFile("pool.beancount", f"The pool: {pool.name}", opened)
    write_atomic(out / "pool.beancount", file_text(book, pool.currency, header))
    write_atomic(out / "main.beancount", main_text(pool, ["pool.beancount"], header, declared))
    click.echo(f"wrote {out / 'main.beancount'} and {out / 'pool.beancount'}")


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
              default=Path("ledger/main.beancount"), show_default=True)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The award date (tilsagn); default today.")
@click.option("--dry-run", is_flag=True, help="Print the allocation; write nothing.")
def allocate_command(applications: Path, ledger: Path, day: datetime.datetime | None,
                     dry_run: bool) -> None:
    """Turn APPLICATIONS (YAML) into grants with their tranches, under the pool's rules."""
    try:
        books = open_books(ledger, datetime.date.today())
    except (CannotLoad, NoRules) as exc:
        _fail(str(exc))
        return
    apps, errors = load_applications(applications)
    if errors:
        _fail("; ".join(f"{location(e.source)}: {e.message}"
                        for e in errors))
    pool = books.rules.pool
    levels = figures(books.entries, datetime.date.max)
    granted = {acc.component(name) for name in levels.grants}
    if taken := sorted(a.municipality for a in apps if acc.component(a.municipality) in granted):
        _fail(f"already granted: {', '.join(taken)}; one grant per municipality in a pool")
    result = allocate(pool, apps, levels.granted)
    click.echo(table(result, pool))
    award = day.date() if day else datetime.date.today()
    parts = _parts(ledger, pool, [a for a in result if a.courses], award)
    try:
        verdict = checked_write_many(ledger, parts, books.rules,
                                     judged_as_of(books.entries, award), dry_run)
    except Refused as exc:
        click.echo("refused: the grants would add these errors; nothing was written", err=True)
        for finding in exc.findings:
            click.echo(f"  {finding.to_text()}", err=True)
        raise SystemExit(1) from exc
    except WriteRefused as exc:
        _fail(str(exc))
    for warning in verdict.warnings:
        click.echo(f"warning: {warning.to_text()}", err=True)
    click.echo("dry run: nothing written" if dry_run else f"wrote {len(parts)} change(s)")


def _parts(ledger: Path, pool: PoolDef, granted: list[Allocation],
           day: datetime.date) -> list[tuple[Path, str, bool]]:
    """For each grant: its municipality's new file, its include line, its award entries."""
    parts = []
    for a in granted:
        name = a.application.municipality
        name_file = f"municipalities/{slug(name)}.beancount"
        opens = "\n\n".join(render(d, pool.currency) for d in grant_opens(pool, name, day))
        parts.append((ledger.parent / name_file, f";; {name}: grant, budgets, purchases\n\n"
                                                 f"{opens}\n", True))
        parts.append((ledger, f'include "{name_file}"\n', False))
        award = "\n\n".join(render(d, pool.currency)
                            for d in grant_entries(pool, name, a.courses, day))
        parts.append((ledger.parent / "pool.beancount", award + "\n", True))
    return parts
