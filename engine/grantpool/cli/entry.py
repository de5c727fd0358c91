"""Entry commands: each builds its directives, has them judged with the books,
and writes them only if they add no error finding.  Exit 0 written (or, with
--dry-run, would be), 1 refused (the findings say why), 2 could not run.

On a federation each entry goes to one entity's books (``grantpool.entry.route``):
a citizen's to the municipality holding the citizen, a municipality's to its own."""

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
from grantpool.entry import route
from grantpool.entry.amounts import BadAmount, parse_amount
from grantpool.entry.entries import Books, Draft, EntryError
from grantpool.entry.federated import Written, record_repayment
from grantpool.entry.gitlog import GitError, git_commit_step
from grantpool.entry.guard import Refused, record_entry
from grantpool.entry.repayment import settle_one
from grantpool.entry.route import Target
from grantpool.entry.vouchered import overview_for, with_voucher
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


Where = Callable[[Path], Target]


def record(ledger: Path, make: Callable[[Books, datetime.date], Draft], where: Where,
           day: datetime.datetime | None, dry_run: bool, git_commit: bool,
           officer: str | None, voucher: Voucher | None = None, who: str = "") -> None:
    """Route to the books *where* says, then build, judge and write the entry there."""
    date = day.date() if day else datetime.date.today()

    def write() -> Written:
        target = where(ledger)
        after = git_commit_step(target.main, officer) if git_commit and not dry_run else None
        return Written.of(record_entry(
            target.main, lambda books: with_voucher(make(books, date), voucher, target.main,
                                                    who),
            datetime.date.today(), dry_run, after,
            overview=overview_for(target, voucher)))

    report(run(write), dry_run, git_commit)


def run(write: Callable[[], Written]) -> Written:
    """*write*, its failures as the entry commands report them (exit 2, or 1 refused)."""
    try:
        return write()
    except (CannotLoad, NoRules, EntryError, WriteRefused, GitError, VoucherError) as exc:
        click.echo(f"grantpool: {redact(str(exc))}", err=True)
        raise SystemExit(2) from exc
    except Refused as exc:
        what = exc.draft.summary if exc.draft else "the entry"
        where = " and ".join(str(t) for t in exc.targets) or "the books"
        click.echo(f"refused: {what} would add {len(exc.findings)} error(s); {where} "
                   f"{'are' if len(exc.targets) > 1 else 'is'} unchanged", err=True)
        for finding in exc.findings:
            click.echo(f"  {finding.to_text()}", err=True)
        raise SystemExit(1) from exc


def report(done: Written, dry_run: bool, git_commit: bool) -> None:
    for warning in done.verdict.warnings:
        click.echo(f"warning: {warning.to_text()}", err=True)
    if dry_run:
        for draft, text in done.drafts:
            click.echo(f"would write to {draft.target}:\n\n{text}")
        return
    where = " and ".join(str(d.target) for d, _ in done.drafts)
    click.echo(f"wrote {done.summary} to {where}" + (" (committed to git)" if git_commit
                                                     else ""))


def citizen(pid: str) -> Where:
    return lambda ledger: route.for_citizen(ledger, pid)


def municipality_of(name: str) -> Where:
    return lambda ledger: route.for_municipality(ledger, name)


@click.command("budget")
@click.argument("municipality")
@click.argument("pid", metavar="CITIZEN", required=False)
@click.option("--amount", type=amount_type, required=True)
@common
def budget_command(municipality: str, pid: str | None, amount: Decimal,
                   **kw: object) -> None:
    """Grant CITIZEN (default: the next id) a budget in MUNICIPALITY, dated the decision."""
    record(make=lambda b, d: build.budget(b, municipality, pid, d, amount),
           where=municipality_of(municipality), **kw)  # type: ignore[arg-type]


@click.command("commit")
@click.argument("pid", metavar="CITIZEN")
@click.option("--amount", type=amount_type, required=True)
@click.option("--category", required=True)
@voucher_option
@common
def commit_command(pid: str, amount: Decimal, category: str, voucher_file: Path | None,
                   **kw: object) -> None:
    """Commit part of CITIZEN's budget (agreed, not yet paid)."""
    voucher = read_voucher_option(voucher_file)
    record(make=lambda b, d: build.commitment(b, pid, d, amount, category),
           where=citizen(pid), voucher=voucher, who=pid, **kw)  # type: ignore[arg-type]


@click.command("purchase")
@click.argument("pid", metavar="CITIZEN")
@click.option("--amount", type=amount_type, required=True)
@click.option("--category", required=True, help="A category code of the rules file.")
@click.option("--from-commitment", is_flag=True, help="Pay what was committed.")
@click.option("--approval", default=None, help="The approval's reference, where required.")
@voucher_option
@common
def purchase_command(pid: str, amount: Decimal, category: str, from_commitment: bool,
                     approval: str | None, voucher_file: Path | None, **kw: object) -> None:
    """Record a purchase the support person made from CITIZEN's budget."""
    voucher = read_voucher_option(voucher_file)
    record(make=lambda b, d: build.purchase(b, pid, d, amount, category, from_commitment,
                                            approval), where=citizen(pid), voucher=voucher,
           who=pid, **kw)  # type: ignore[arg-type]


@click.command("return")
@click.argument("pid", metavar="CITIZEN")
@click.option("--amount", type=amount_type, default=None, help="Default: all that is left.")
@common
def return_command(pid: str, amount: Decimal | None, **kw: object) -> None:
    """Return what is left of CITIZEN's budget to the grant."""
    record(make=lambda b, d: build.give_back(b, pid, d, amount), where=citizen(pid),
           **kw)  # type: ignore[arg-type]


@click.command("event")
@click.argument("kind", type=click.Choice(build.CITIZEN_EVENTS + build.GRANT_EVENTS))
@click.argument("subject")
@common
def event_command(kind: str, subject: str, **kw: object) -> None:
    """Record an event: moved_out or excluded (a citizen), carry_over_approved or
    accounts_submitted (a municipality)."""
    where = citizen(subject) if kind in build.CITIZEN_EVENTS else municipality_of(subject)
    record(make=lambda b, d: build.event(b, kind, subject, d), where=where,
           **kw)  # type: ignore[arg-type]


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
           where=municipality_of(municipality), voucher=voucher, who=slug(municipality),
           **kw)  # type: ignore[arg-type]


@click.command("repayment")
@click.argument("municipality")
@click.option("--paid", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Also record the repayment paid to the pool on this day.")
@common
def repayment_command(municipality: str, paid: datetime.datetime | None, ledger: Path,
                      day: datetime.datetime | None, dry_run: bool, git_commit: bool,
                      officer: str | None) -> None:
    """Settle MUNICIPALITY's unspent grant: a repayment claim, or kept under the de-minimis.
    On a federation the claim and the repayment are each booked in two halves: the
    municipality's in its books, the pool's in the pool's (both or neither).  Once the
    claim is booked, --paid alone books its payment."""
    paid_on = paid.date() if paid else None
    date = day.date() if day else datetime.date.today()
    today = datetime.date.today()
    if paid_on is not None and paid_on < date:
        click.echo(f"grantpool: --paid {paid_on} is before the claim's --date {date}; the "
                   f"repayment is paid on or after its claim", err=True)
        raise SystemExit(2)

    def write() -> Written:
        target = route.for_municipality(ledger, municipality)
        after = git_commit_step(target.main, officer) if git_commit and not dry_run else None
        if target.federation is not None:
            return record_repayment(target, municipality, date, paid_on, today, dry_run, after)
        return Written.of(record_entry(
            target.main, lambda b: settle_one(b, municipality, date, paid_on), today, dry_run,
            after))

    report(run(write), dry_run, git_commit)


COMMANDS = (budget_command, commit_command, purchase_command, return_command, event_command,
            salary_command, repayment_command)
