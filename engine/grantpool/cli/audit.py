"""``grantpool check`` and ``grantpool reconcile``: the auditors' commands over one
ledger or a federation (each entity's books on a worker)."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import click

from grantpool.audit.check import BadRules
from grantpool.audit.check import check as run_check
from grantpool.audit.reconcile import reconcile as run_reconcile
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import open_books
from grantpool.cli.oneline import fail
from grantpool.cli.options import EXIT_FINDINGS, as_of_option, ledger_argument
from grantpool.cli.parallel import could_not_run, parallel_options, progress, runner
from grantpool.federation.discover import NotAFederation
from grantpool.federation.discover import find as federation_of
from grantpool.federation.executor import NoCluster
from grantpool.federation.run import check_federation, reconcile_federation
from grantpool.figures.render import render_tree


@click.command("check")
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


@click.command("reconcile")
@ledger_argument
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@parallel_options
def reconcile(ledger: Path, as_of: datetime.datetime | None, fmt: str, workers: int | None,
              scheduler: str | None) -> None:
    """Conservation at every level, tied to the bank: exit 0 all ties, 1 not, 2 cannot run."""
    day = as_of.date() if as_of else datetime.date.today()
    with could_not_run():
        federation = federation_of(ledger)
        if federation:
            tree = reconcile_federation(federation, day, runner(workers, scheduler),
                                        progress("reconciling", federation, fmt))
        else:
            books = open_books(ledger, day)
            tree = run_reconcile(books.entries, books.rules, day)
    if fmt == "json":
        doc = {"ledger": str(ledger), "as_of": day.isoformat(), "ok": tree.ok,
               "tree": tree.to_json()}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(render_tree(tree, ledger, day))
    sys.exit(0 if tree.ok else EXIT_FINDINGS)


