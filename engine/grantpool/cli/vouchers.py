"""``grantpool vouchers verify|prune``: the voucher files against the books."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules, open_books
from grantpool.books.writing import WriteRefused
from grantpool.cli.oneline import fail
from grantpool.cli.options import ledger_argument
from grantpool.entry import route
from grantpool.entry.gitlog import GitError, git_commit_step
from grantpool.entry.guard import AfterWrite, Refused, record_entry
from grantpool.vouchers import state
from grantpool.vouchers.prune import (
    Expired,
    NothingToPrune,
    check_as_of,
    deleting,
    expired,
    prune_draft,
)
from grantpool.vouchers.store import VoucherError


@click.group("vouchers")
def vouchers_group() -> None:
    """Vouchers (bilag): check them against the books, prune them after retention."""


def books_of(ledger: Path) -> list[Path]:
    """The main files to read: on a federation each entity's own, one at a time."""
    federation = route.federation_at(ledger)
    if federation is None:
        return [route.single(ledger).main]
    return [e.main for e in federation.entities]


@vouchers_group.command("verify")
@ledger_argument
def verify_command(ledger: Path) -> None:
    """Report vouchers that are missing or altered: exit 0 all there, 1 if not.
    On a federation each entity's books are read on their own."""
    found: list[state.Recorded] = []
    bad = pruned_count = 0
    for main in books_of(ledger):
        try:
            books = open_books(main, datetime.date.today())
        except (CannotLoad, NoRules) as exc:
            fail(str(exc))
            return
        pruned = state.pruned_names(books.entries)
        here = list(state.vouchers(books.entries))
        for voucher in here:
            wrong = state.problem(voucher, pruned)
            if wrong:
                bad += 1
                meta = voucher.txn.meta
                click.echo(f"{meta.get('filename')}:{meta.get('lineno')}: {wrong}")
        pruned_count += sum(1 for v in here if v.name in pruned)
        found += here
    click.echo(f"{'FAILED' if bad else 'OK'}: {ledger}: {len(found)} voucher(s) recorded, "
               f"{pruned_count} pruned, {bad} missing or altered")
    sys.exit(1 if bad else 0)


@vouchers_group.command("prune")
@ledger_argument
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Delete vouchers whose retention ended before this day (today or earlier).")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; change nothing.")
@click.option("--git", "git_commit", is_flag=True, help="Commit the notes to git.")
@click.option("--officer", default=None, help='Who prunes, for git: "Name <email>".')
def prune_command(ledger: Path, as_of: datetime.datetime, dry_run: bool, git_commit: bool,
                  officer: str | None) -> None:
    """Delete the vouchers whose retention has ended, leaving a note in the books (on a
    federation, in each entity's own, one entity at a time)."""
    day = as_of.date()
    targets: list[Path] = []
    try:
        check_as_of(day, datetime.date.today())
        for main in books_of(ledger):
            books = open_books(main, datetime.date.today())
            if books.rules.pool.retention is None:
                fail(f"{books.rules.filename}: the pool section sets no retention; add "
                      f"retention: {{years: 5}} to prune vouchers")
            files = sorted({e.entry_file for e in expired(books.entries, books.rules.pool,
                                                          day)})
            after = git_commit_step(main, officer) if git_commit and not dry_run else None
            for target in files:
                _prune_file(main, target, day, dry_run, after)
            targets += files
    except (CannotLoad, NoRules, WriteRefused, GitError, VoucherError) as exc:
        fail(str(exc))
    except Refused as exc:
        fail("; ".join(f.to_text() for f in exc.findings), 1)
    if not targets:
        click.echo(f"nothing to prune: no voucher's retention ended before {day}")


def _prune_file(ledger: Path, target: Path, day: datetime.date, dry_run: bool,
                after: AfterWrite | None) -> None:
    chosen: list[Expired] = []
    try:
        done = record_entry(ledger, lambda b: prune_draft(b, ledger, target, day, chosen),
                            datetime.date.today(), dry_run,
                            None if dry_run else deleting(chosen, after))
    except NothingToPrune:
        return
    verb = "would delete" if dry_run else "deleted"
    for item in chosen:
        click.echo(f"{verb} {item.voucher.value} (kept until {item.ends})")
    click.echo(f"{'would write' if dry_run else 'wrote'} {done.draft.summary} to {target}")
