"""``grantpool serve``: check the books, then serve them in Fava with our extension.

One set of books is one ledger.  A federation (its folder, or its consolidated
``main.beancount``) is checked entity by entity (``check_federation``) and served
by one Fava process with one ledger per set of books: the consolidated overview
first (the ministry's), then the pool's own books and each municipality's, each
under its own slug (made by Fava from the books' title), with Fava's switcher
between them.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from grantpool.audit.check import BadRules
from grantpool.audit.check import check as run_check
from grantpool.audit.findings import Report
from grantpool.books.loading import CannotLoad
from grantpool.cli.oneline import fail
from grantpool.federation.discover import NotAFederation, find, load_federation
from grantpool.federation.run import check_federation


def checked(ledger: Path, as_of: datetime.date) -> tuple[Report, list[Path]]:
    """The check's report and the main files to serve: *ledger* itself, or a
    federation's consolidated main file (if any), the pool's and each municipality's."""
    if find(ledger) is None:
        return run_check(ledger, as_of), [ledger]
    federation = load_federation(ledger)
    report = check_federation(federation, as_of, ledger)
    files = [federation.consolidated] if federation.consolidated else []
    return report, files + [entity.main for entity in federation.entities]


def slugs(files: list[Path]) -> list[str]:
    """The slug Fava gives each of *files*: its title's (``option "title"``), made
    unique in order, as Fava does."""
    from beancount.parser import parser  # noqa: PLC0415 (heavy imports, only here)
    from fava.util import next_key, slugify  # noqa: PLC0415

    taken: dict[str, None] = {}
    for path in files:
        options = parser.parse_file(str(path))[2]
        slug = slugify(str(options.get("title") or "")) or slugify(str(path.resolve()))
        taken[next_key(slug, taken)] = None
    return list(taken)


@click.command("serve")
@click.argument("ledger", type=click.Path(path_type=Path), default=Path("ledger/main.beancount"),
                required=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--read-write", is_flag=True, help="Allow edits in Fava (default: read-only).")
def serve_command(ledger: Path, host: str, port: int, read_write: bool) -> None:
    """Check the books, then serve them in Fava (read-only unless --read-write).

    LEDGER is a main file, or a federation (its folder or consolidated main file):
    then every entity's own books and the consolidated overview, each under its slug."""
    try:
        report, files = checked(ledger, datetime.date.today())
    except (CannotLoad, BadRules, NotAFederation) as exc:
        fail(str(exc))
        return
    click.echo(report.to_text())
    from fava.cli import main as fava_main  # noqa: PLC0415 (heavy import, only here)

    args = [*(str(path.resolve()) for path in files), "--host", host, "--port", str(port)]
    if not read_write:
        args.append("--read-only")
    click.echo(f"Serving {ledger} on http://{host}:{port}/ (Ctrl-C stops)")
    for slug, path in zip(slugs(files), files, strict=True):
        click.echo(f"  http://{host}:{port}/{slug}/  {path}")
    fava_main.main(args=args, prog_name="fava", standalone_mode=True)
