"""Entry commands: each builds its directives, has them judged with the books,
and writes them only if they add no error finding.  Exit 0 written (or, with
--dry-run, would be), 1 refused (the findings say why), 2 could not run."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import click

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules
from grantpool.books.writing import WriteRefused
from grantpool.entry import entries as build
from grantpool.entry.amounts import BadAmount, parse_amount
from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.entry.gitlog import GitError, git_commit_step
from grantpool.entry.guard import Refused, record_entry
from grantpool.entry.vouchered import with_voucher
from grantpool.generate.books import slug
from grantpool.privacy.cpr import redact
from grantpool.vouchers.store import Voucher, VoucherError, read_voucher

Builder = Callable[[Books], Draft]


class AmountType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """``--amount``: ``grantpool.entry.amounts.parse_amount``."""

    name = "amount"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except BadAmount as exc:
            self.fail(str(exc), param, ctx)


amount_type = AmountType()


def common(func: Callable[..., None]) -> Callable[..., None]:
    func = click.option("--ledger", type=click.Path(path_type=Path),
                        default=Path("ledger/main.beancount"), show_default=True)(func)
    func = click.option("--dry-run", is_flag=True, help="Show the entry; write nothing.")(func)
    func = click.option("--git", "git_commit", is_flag=True,
                        help="Commit the write to git, with --officer as its author.")(func)
    func = click.option("--officer", default=None,
                        help='Who records it, for git: "Name <email>".')(func)
    return click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]),
                        default=None, help="The entry's date (default today).")(func)


def voucher_option(func: Callable[..., None]) -> Callable[..., None]:
    return click.option("--voucher", "voucher_file", type=click.Path(path_type=Path),
                        default=None, help="The receipt (bilag): stored in the books' "
                        "documents folder, its SHA-256 in the entry.")(func)


def read_voucher_option(path: Path | None) -> Voucher | None:
    """The voucher of ``--voucher``, read before the books are touched (exit 2 if bad)."""
    try:
        return read_voucher(path) if path is not None else None
    except VoucherError as exc:
        click.echo(f"grantpool: {redact(str(exc))}", err=True)
        raise SystemExit(2) from exc


def record(ledger: Path, make: Callable[[Books, datetime.date], Draft],
           day: datetime.datetime | None, dry_run: bool, git_commit: bool,
           officer: str | None, voucher: Voucher | None = None, who: str = "") -> None:
    date = day.date() if day else datetime.date.today()
    try:
        after = git_commit_step(ledger, officer) if git_commit and not dry_run else None
        done = record_entry(ledger, lambda books: with_voucher(make(books, date), voucher,
                                                               ledger, who),
                            datetime.date.today(), dry_run, after)
    except (CannotLoad, NoRules, EntryError, WriteRefused, GitError, VoucherError) as exc:
        click.echo(f"grantpool: {redact(str(exc))}", err=True)
        raise SystemExit(2) from exc
    except Refused as exc:
        what, where = ((exc.draft.summary, str(exc.draft.target)) if exc.draft
                       else ("the entry", "the books"))
        click.echo(f"refused: {what} would add {len(exc.findings)} error(s); {where} is "
                   f"unchanged", err=True)
        for finding in exc.findings:
            click.echo(f"  {finding.to_text()}", err=True)
        raise SystemExit(1) from exc
    for warning in done.verdict.warnings:
        click.echo(f"warning: {warning.to_text()}", err=True)
    if dry_run:
        click.echo(f"would write to {done.draft.target}:\n\n{done.text}")
        return
    click.echo(f"wrote {done.draft.summary} to {done.draft.target}"
               + (" (committed to git)" if after else ""))


@click.command("budget")
@click.argument("municipality")
@click.argument("citizen", required=False)
@click.option("--amount", type=amount_type, required=True)
@common
def budget_command(municipality: str, citizen: str | None, amount: Decimal,
                   **kw: object) -> None:
    """Grant CITIZEN (default: the next id) a budget in MUNICIPALITY, dated the decision."""
    record(make=lambda b, d: build.budget(b, municipality, citizen, d, amount), **kw)  # type: ignore[arg-type]


@click.command("commit")
@click.argument("citizen")
@click.option("--amount", type=amount_type, required=True)
@click.option("--category", required=True)
@voucher_option
@common
def commit_command(citizen: str, amount: Decimal, category: str, voucher_file: Path | None,
                   **kw: object) -> None:
    """Commit part of CITIZEN's budget (agreed, not yet paid)."""
    voucher = read_voucher_option(voucher_file)
    record(make=lambda b, d: build.commitment(b, citizen, d, amount, category),
           voucher=voucher, who=citizen, **kw)  # type: ignore[arg-type]


@click.command("purchase")
@click.argument("citizen")
@click.option("--amount", type=amount_type, required=True)
@click.option("--category", required=True, help="A category code of the rules file.")
@click.option("--from-commitment", is_flag=True, help="Pay what was committed.")
@click.option("--approval", default=None, help="The approval's reference, where required.")
@voucher_option
@common
def purchase_command(citizen: str, amount: Decimal, category: str, from_commitment: bool,
                     approval: str | None, voucher_file: Path | None, **kw: object) -> None:
    """Record a purchase the support person made from CITIZEN's budget."""
    voucher = read_voucher_option(voucher_file)
    record(make=lambda b, d: build.purchase(b, citizen, d, amount, category, from_commitment,
                                            approval), voucher=voucher, who=citizen,
           **kw)  # type: ignore[arg-type]


@click.command("return")
@click.argument("citizen")
@click.option("--amount", type=amount_type, default=None, help="Default: all that is left.")
@common
def return_command(citizen: str, amount: Decimal | None, **kw: object) -> None:
    """Return what is left of CITIZEN's budget to the grant."""
    record(make=lambda b, d: build.give_back(b, citizen, d, amount), **kw)  # type: ignore[arg-type]


@click.command("event")
@click.argument("kind", type=click.Choice(build.CITIZEN_EVENTS + build.GRANT_EVENTS))
@click.argument("subject")
@common
def event_command(kind: str, subject: str, **kw: object) -> None:
    """Record an event: moved_out or excluded (a citizen), carry_over_approved or
    accounts_submitted (a municipality)."""
    record(make=lambda b, d: build.event(b, kind, subject, d), **kw)  # type: ignore[arg-type]


@click.command("salary")
@click.argument("municipality")
@click.option("--amount", type=amount_type, required=True)
@voucher_option
@common
def salary_command(municipality: str, amount: Decimal, voucher_file: Path | None,
                   **kw: object) -> None:
    """Record staff salary (loenkroner) paid from MUNICIPALITY's salary line."""
    voucher = read_voucher_option(voucher_file)
    record(make=lambda b, d: build.salary(b, municipality, d, amount),
           voucher=voucher, who=slug(municipality), **kw)  # type: ignore[arg-type]


@click.command("repayment")
@click.argument("municipality")
@click.option("--paid", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Also record the repayment paid to the pool on this day.")
@common
def repayment_command(municipality: str, paid: datetime.datetime | None, **kw: object) -> None:
    """Settle MUNICIPALITY's unspent grant: a repayment claim, or kept under the de-minimis."""
    paid_on = paid.date() if paid else None
    record(make=lambda b, d: build.repayment(b, municipality, d, paid_on), **kw)  # type: ignore[arg-type]


COMMANDS = (budget_command, commit_command, purchase_command, return_command, event_command,
            salary_command, repayment_command)
