"""``grantpool import``: the command adapts the bank import to the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from grantpool.bank.imports import ImportResult

MAX_DAYS = 60


def report_lines(result: ImportResult) -> list[str]:
    """Every bank line matched or not, every book entry of the period not on the statement."""
    m = result.matches
    lines = [f"{result.statement}{' ' + result.where if result.where else ''} -> {result.bank}"]
    lines += [f"  matched   line {b.line} {b.date} {b.amount:>12} ~ "
              f"{t.meta.get('filename')}:{t.meta.get('lineno')}" for b, t in m.matched]
    lines += [f"  unmatched line {b.line} {b.date} {b.amount:>12} (bank only: added as "
              f"#unreconciled for an officer to classify)" for b in m.unmatched_bank]
    lines += [f"  unmatched books {t.meta.get('filename')}:{t.meta.get('lineno')} {t.date} "
              f"{t.narration} (not on the statement)" for t in m.unmatched_books]
    added = len(result.added)
    lines.append(f"{len(m.matched)} matched, {len(m.unmatched_bank)} bank line(s) unmatched, "
                 f"{len(m.unmatched_books)} book entr(ies) unmatched; "
                 + (f"{added} entr(ies) appended to {result.target}" if added
                    else "nothing new: the books already hold this statement"))
    return lines


@click.command("import")
@click.argument("statements", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--ledger", type=click.Path(path_type=Path),
              default=Path("ledger/main.beancount"), show_default=True,
              help="The books: a federation (its folder or consolidated main file), where "
                   "each statement goes to its entity's own books, or one set of books' "
                   "main file (an entity's own).")
@click.option("--account", default=None,
              help="The bank account, one opened as the pool's or a municipality's bank "
                   "(default: the one opened with the statement's IBAN as iban: metadata, "
                   "else told from the file name, e.g. aarhus-2018-03.csv or "
                   "pool-2018-03.csv).")
@click.option("--match-days", default=5, show_default=True, type=click.IntRange(0, MAX_DAYS),
              help="A bank line matches a book entry dated this many days either side.")
@click.option("--encoding", default=None,
              help="The statement's text encoding, overriding its format's or profile's "
                   "(e.g. cp1252; default: utf-8-sig for the generic CSV shape).")
@click.option("--format", "fmt", default=None, metavar="FORMAT",
              help="camt053, mt940, csv, or a CSV profile's name (danske-bank, nordea, "
                   "generic, or one of --profile / bank-profiles/); default: told from the "
                   "content.")
@click.option("--profile", "profiles", multiple=True, type=click.Path(path_type=Path),
              help="A bank CSV profile (YAML) to use besides the shipped ones and the books' "
                   "bank-profiles/ folder; may be given more than once.")
def import_command(statements: tuple[Path, ...], ledger: Path, account: str | None,
                   match_days: int, encoding: str | None, fmt: str | None,
                   profiles: tuple[Path, ...]) -> None:
    """Import bank STATEMENTS (camt.053 XML, MT940, or a bank's CSV export), in the order
    given: match each to the books and add the rest once.  Each file is imported whole or
    not at all; exit 2 if any was refused (the others are still imported)."""
    # beangulp and the importer load only when this command runs
    from grantpool.bank.imports import NoBankAccount, import_statement  # noqa: PLC0415
    from grantpool.bank.statement import StatementError  # noqa: PLC0415
    from grantpool.books.loading import CannotLoad  # noqa: PLC0415
    from grantpool.books.opening import NoRules  # noqa: PLC0415
    from grantpool.books.writing import WriteRefused  # noqa: PLC0415

    refused = 0
    for statement in statements:
        try:
            results = import_statement(ledger, statement, account, match_days, encoding, fmt,
                                       profiles)
        except (CannotLoad, NoRules, NoBankAccount, StatementError, WriteRefused,
                LookupError, OSError) as exc:  # OSError: a file of the books unreadable
            click.echo(f"grantpool: {exc}", err=True)
            refused += 1
            continue
        for result in results:
            click.echo("\n".join(report_lines(result)))
    if refused:
        raise SystemExit(2)
