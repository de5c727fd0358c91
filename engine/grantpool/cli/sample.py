"""``grantpool sample ENTITY …`` draws the auditor's sample; ``grantpool sample record
WORKPAPER.xlsx`` writes what the auditor found into the books."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from grantpool.audit.grant_accounts import period_of
from grantpool.audit.sample import METHODS, draw, population
from grantpool.audit.sample_record import record_draft
from grantpool.audit.workpaper import Drawn, WorkpaperError, read_results, refuse_existing, write
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.books.writing import WriteRefused
from grantpool.cli.entry import amount_type
from grantpool.cli.oneline import fail
from grantpool.cli.options import DEFAULT_LEDGER
from grantpool.entry import route
from grantpool.entry.entries import Books, EntryError
from grantpool.entry.gitlog import GitError, check_officer
from grantpool.entry.guard import Refused, record_entry
from grantpool.generate.books import slug
from grantpool.rules.kinds.voucher import DEVIATION_TEXT


class SampleGroup(click.Group):
    """``sample ENTITY …`` draws; ``sample record …`` records: ENTITY is not a command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["draw", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "ENTITY (--year Y | --period) --size N --seed S"
                                                " | record WORKPAPER.xlsx")

    def list_commands(self, ctx: click.Context) -> Sequence[str]:  # type: ignore[override]
        return ["draw", "record"]


@click.group("sample", cls=SampleGroup)
def sample_group() -> None:
    """The auditor's sample of purchases (stikproeve), and its recorded result."""


@sample_group.command("draw")
@click.argument("entity")
@click.option("--ledger", type=click.Path(path_type=Path), default=DEFAULT_LEDGER,
              show_default=True)
@click.option("--year", type=int, default=None, help="One calendar year of the project.")
@click.option("--period", "whole", is_flag=True, help="The whole project period.")
@click.option("--size", type=click.IntRange(1, 10_000), required=True,
              help="Sampling points drawn from the purchases that are not key items.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), required=True)
@click.option("--method", type=click.Choice(METHODS), default="mus", show_default=True)
@click.option("--key-items-over", "key_over", type=amount_type, default=None,
              help="Take every purchase over this amount whole (default: the interval).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("audit"),
              show_default=True, help="Folder for the working paper (CSV and XLSX).")
def draw_command(entity: str, ledger: Path, year: int | None, whole: bool, size: int,
                 seed: int, method: str, key_over: Decimal | None, out: Path) -> None:
    """A reproducible sample of ENTITY's purchases (ENTITY: a municipality, as the books
    spell it), written as a working paper for the auditor.  On a federation only
    ENTITY's own books are read; paths in the paper are relative to the folder of the
    books given (--ledger), as ``sample record`` reads them.  A working paper that exists
    is never overwritten."""
    if (year is None) == (not whole):
        fail("give exactly one of --year YYYY or --period")
    stem = f"sample-{slug(entity)}-{year if year is not None else 'period'}-{method}-seed{seed}"
    try:
        refuse_existing(out, stem)
        books = open_books(route.for_municipality(ledger, entity).main, datetime.date.today())
        Books(books.entries, books.rules.pool).municipality_file(entity)
        period = period_of(books.rules.pool, year)
    except (CannotLoad, NoRules, EntryError, ValueError) as exc:  # WorkpaperError too
        fail(str(exc))
        return
    root = route.folder_of(ledger)
    sample = draw(population(books.entries, entity, period, root), size, seed, method, key_over)
    drawn = Drawn(entity, period, method, size, seed, key_over)
    try:
        written = write(sample, drawn, root, out, stem)
    except WorkpaperError as exc:
        fail(str(exc))
        return
    for path in written:
        click.echo(f"wrote {path}")
    keys = sum(1 for _, how in sample.chosen if how == "key item")
    click.echo(f"{len(sample.chosen)} of {len(sample.population)} purchases: {keys} key "
               f"item(s) over {sample.key_over:.2f}, {len(sample.chosen) - keys} by {method}")


@sample_group.command("record")
@click.argument("workpaper", type=click.Path(path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path), default=DEFAULT_LEDGER,
              show_default=True)
@click.option("--auditor", required=True, help='Who checked the sample: "Name <email>".')
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day the audit was done (default today).")
@click.option("--dry-run", is_flag=True, help="Show the events; write nothing.")
def record_command(workpaper: Path, ledger: Path, auditor: str,
                   day: datetime.datetime | None, dry_run: bool) -> None:
    """Write the filled working paper's result into the books: an audit_sample event, and
    an audit_deviation event (an error finding at the entry) per deviation."""
    date = day.date() if day else datetime.date.today()
    try:
        check_officer(auditor)
        drawn, results = read_results(workpaper)
        target = route.for_municipality(ledger, drawn.entity)
        root = route.folder_of(ledger)
        done = record_entry(target.main, lambda b: record_draft(b, root, drawn, results,
                                                                auditor, date),
                            datetime.date.today(), dry_run,
                            expected=lambda f: DEVIATION_TEXT in f.message)
    except GitError:
        fail('--auditor must be "Name <email>" (letters, spaces, . \' -; one address)')
        return
    except (WorkpaperError, CannotLoad, NoRules, EntryError, WriteRefused) as exc:
        fail(str(exc))
        return
    except Refused as exc:
        fail("; ".join(f.to_text() for f in exc.findings), 1)
        return
    if dry_run:
        click.echo(f"would write to {done.draft.target}:\n\n{done.text}")
        return
    click.echo(f"wrote {done.draft.summary} to {done.draft.target}")
