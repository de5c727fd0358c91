"""The ``grantpool`` command line. Each command adapts input and output only;
the logic lives in the package's own modules."""

from __future__ import annotations

import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

import click

from grantpool import __version__
from grantpool.audit.check import BadRules
from grantpool.audit.check import check as run_check
from grantpool.audit.reconcile import reconcile as run_reconcile
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.cli.accounts import accounts_command
from grantpool.cli.allocate import allocate_command, init_command
from grantpool.cli.bank import import_command
from grantpool.cli.deploy import deploy_files_command
from grantpool.cli.entry import COMMANDS as ENTRY_COMMANDS
from grantpool.cli.oneline import OneLineGroup, fail
from grantpool.cli.parallel import parallel_options, progress, runner
from grantpool.cli.sample import sample_group
from grantpool.cli.scheduled import scheduled_command
from grantpool.cli.serve import serve_command
from grantpool.cli.users import user_group
from grantpool.cli.vouchers import vouchers_group
from grantpool.federation.discover import NotAFederation
from grantpool.federation.discover import find as federation_of
from grantpool.federation.executor import NoCluster
from grantpool.federation.run import check_federation, reconcile_federation, rollup
from grantpool.figures.levels import figures
from grantpool.figures.render import citizen_cap, render_rows, render_tree
from grantpool.figures.report import LEVELS, rows_of
from grantpool.generate.books import GenerateError
from grantpool.generate.options import GenOptions
from grantpool.generate.run import generate as run_generate
from grantpool.privacy.cpr import redact
from grantpool.rules.shipped import UnknownPool, load_named

DEFAULT_LEDGER = Path("ledger/main.beancount")
DEFAULT_RULES = Path("dk2017")
EXIT_FINDINGS = 1

ledger_argument = click.argument(
    "ledger", type=click.Path(path_type=Path), default=DEFAULT_LEDGER, required=False
)


@click.group(cls=OneLineGroup)
@click.version_option(__version__, prog_name="grantpool")
def main() -> None:
    """Grant-pool accounting on Beancount: pool, municipalities, citizens' budgets."""


as_of_option = click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="The day the figures or the check are for (YYYY-MM-DD); default: today.")


@main.command()
@ledger_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@parallel_options
def check(ledger: Path, as_of: datetime.datetime | None, fmt: str, workers: int | None,
          scheduler: str | None) -> None:
    """Check the books: exit 0 clean, 1 on any error finding, 2 if it could not run."""
    day = as_of.date() if as_of else datetime.date.today()
    try:
        federation = federation_of(ledger)
        report = (check_federation(federation, day, ledger, runner(workers, scheduler),
                                   progress("checking", federation, fmt))
                  if federation else run_check(ledger, day))
    except (CannotLoad, NotAFederation, NoCluster) as exc:
        fail(str(exc))
        return
    except BadRules as exc:
        for finding in exc.findings:
            click.echo(finding.to_text(), err=True)
        fail("the rules file is malformed or a rule could not run (see above); fix it and run "
             "again")
        return
    click.echo(report.to_json() if fmt == "json" else report.to_text())
    sys.exit(0 if report.ok else EXIT_FINDINGS)


@main.command()
@click.option("--rules", type=click.Path(path_type=Path), default=DEFAULT_RULES,
              show_default=True,
              help="The pool: a shipped pool's id (dk2017, dk2022, uk2009) or a rules file.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("ledger"),
              show_default=True, help="Folder to write main.beancount and its files into.")
@click.option("--seed", type=int, default=GenOptions.seed, show_default=True)
@click.option("--municipalities", type=int, default=GenOptions.municipalities, show_default=True)
@click.option("--citizens", type=int, default=GenOptions.citizens, show_default=True)
@click.option("--purchases", type=int, default=GenOptions.purchases, show_default=True,
              help="At most this many purchases per citizen (the real cases may add some).")
@click.option("--years", type=int, default=None,
              help="Stretch the project period to this many years (default: the rules').")
@click.option("--small-unspent", type=Decimal, default=GenOptions.small_unspent,
              show_default=True, help="The final unspent money of the de-minimis case.")
def generate(rules: Path, out: Path, seed: int, municipalities: int, citizens: int,
             purchases: int, years: int | None, small_unspent: Decimal) -> None:
    """Write deterministic example books of the pool in RULES into OUT."""
    try:
        ruleset, shipped = load_named(rules)
    except UnknownPool as exc:
        fail(str(exc))
        return
    opts = GenOptions(seed, municipalities, citizens, purchases, years,
                      small_unspent=small_unspent)
    try:
        written, notes = run_generate(ruleset, opts, out, copy_rules=shipped)
    except GenerateError as exc:
        fail(str(exc))
        return
    for note in notes:
        click.echo(f"note: {note}")
    click.echo(f"wrote {len(written)} files into {out}")


@main.command()
@ledger_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@parallel_options
def reconcile(ledger: Path, as_of: datetime.datetime | None, fmt: str, workers: int | None,
              scheduler: str | None) -> None:
    """Conservation at every level, tied to the bank: exit 0 all ties, 1 not, 2 cannot run."""
    day = as_of.date() if as_of else datetime.date.today()
    try:
        federation = federation_of(ledger)
        if federation:
            tree = reconcile_federation(federation, day, runner(workers, scheduler),
                                        progress("reconciling", federation, fmt))
        else:
            books = open_books(ledger, day)
            tree = run_reconcile(books.entries, books.rules, day)
    except (CannotLoad, NoRules, NotAFederation, NoCluster) as exc:
        fail(str(exc))
        return
    except BadRules as exc:
        fail(exc.findings[0].to_text())
        return
    if fmt == "json":
        doc = {"ledger": str(ledger), "as_of": day.isoformat(), "ok": tree.ok,
               "tree": tree.to_json()}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(render_tree(tree, ledger, day))
    sys.exit(0 if tree.ok else EXIT_FINDINGS)


@main.command()
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
    try:
        federation = federation_of(ledger)
        if federation and rules is None:
            levels, pool, cap, unread = rollup(federation, day, runner(workers, scheduler),
                                               progress("summing", federation, fmt))
        else:
            books = open_books(ledger, day, rules)
            levels, pool, cap = figures(books.entries, day), books.rules.pool, citizen_cap(
                books.rules)
    except (CannotLoad, NoRules, NotAFederation, NoCluster) as exc:
        fail(str(exc))
        return
    except BadRules as exc:
        fail(exc.findings[0].to_text())
        return
    found = rows_of(levels, pool, day, level, cap)
    click.echo(render_rows(found, fmt), nl=fmt != "csv")
    for why in unread:
        click.echo(f"grantpool: left out: {redact(why)}", err=True)
    sys.exit(EXIT_FINDINGS if unread else 0)


main.add_command(import_command)
main.add_command(accounts_command)
main.add_command(serve_command)
main.add_command(init_command)
main.add_command(allocate_command)
for command in ENTRY_COMMANDS:
    main.add_command(command)
main.add_command(scheduled_command)
main.add_command(deploy_files_command)
main.add_command(vouchers_group)
main.add_command(sample_group)
main.add_command(user_group)


if __name__ == "__main__":
    main()
