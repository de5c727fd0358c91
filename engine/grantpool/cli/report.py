"""``grantpool report``: granted, committed, spent, returned and remaining per level."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from grantpool.books.chart import POOL_BANK
from grantpool.books.opening import open_books
from grantpool.cli.oneline import fail
from grantpool.cli.options import EXIT_FINDINGS, as_of_option, ledger_argument
from grantpool.cli.parallel import could_not_run, parallel_options, progress, runner
from grantpool.federation.discover import find as federation_of
from grantpool.federation.run import rollup
from grantpool.figures.levels import figures
from grantpool.figures.render import citizen_cap, render_rows
from grantpool.figures.report import LEVELS, holds_pool, rows_of
from grantpool.privacy.cpr import redact


@click.command("report")
@ledger_argument
@click.option("--level", type=click.Choice(LEVELS), required=True)
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
@click.option("--rules", type=click.Path(path_type=Path), default=None,
              help="Rules file (default: the one the books' plugin line names).")
@parallel_options
def report(ledger: Path, level: str, as_of: datetime.datetime | None, fmt: str,
           rules: Path | None, workers: int | None, scheduler: str | None) -> None:
    """Granted, committed, spent, returned and remaining per pool, municipality or citizen.

    On a federation an entity whose books cannot be read is left out, said on stderr,
    and the exit is 1."""
    day = as_of.date() if as_of else datetime.date.today()
    unread: list[str] = []
    with could_not_run():
        federation = federation_of(ledger)
        if federation and rules is None:
            levels, pool, cap, unread = rollup(federation, day, runner(workers, scheduler),
                                               progress("summing", federation, fmt))
        else:
            books = open_books(ledger, day, rules)
            if level == "pool" and not holds_pool(books.entries):
                fail(f"{ledger}: these books hold no pool ({POOL_BANK} is not opened: a "
                     f"municipality's own books?); report --level pool on the pool's books or "
                     f"the federation's folder, or use --level municipality or citizen (--level)")
            levels, pool, cap = figures(books.entries, day), books.rules.pool, citizen_cap(
                books.rules)
    found = rows_of(levels, pool, day, level, cap)
    click.echo(render_rows(found, fmt), nl=fmt != "csv")
    for why in unread:
        click.echo(f"grantpool: left out: {redact(why)}", err=True)
    sys.exit(EXIT_FINDINGS if unread else 0)


