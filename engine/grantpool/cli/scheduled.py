"""``grantpool scheduled``: the daily unattended run, for systemd or cron."""

from __future__ import annotations

import datetime
from pathlib import Path

import click


@click.command("scheduled")
@click.argument("ledger", type=click.Path(path_type=Path), required=False)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              default=Path("deploy/schedule.yaml"), show_default=True)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Run as if on this day (default: today).")
def scheduled_command(ledger: Path | None, config_path: Path,
                      as_of: datetime.datetime | None) -> None:
    """Import waiting statements, check everything as of today, mail what is new.

    Exit 0 all clear, 1 findings, 2 could not run (mail included).
    """
    from grantpool.scheduled.config import load_schedule  # noqa: PLC0415 (smtplib: load late)
    from grantpool.scheduled.run import run  # noqa: PLC0415

    schedule, errors = load_schedule(config_path)
    if schedule is None:
        for error in errors:
            click.echo(f"{error.source['filename']}:{error.source['lineno']}: {error.message}",
                       err=True)
        raise SystemExit(2)
    books = ledger or schedule.ledger or Path("ledger/main.beancount")
    day = as_of.date() if as_of else datetime.date.today()
    outcome = run(schedule, books, day)
    click.echo(f"{books} as of {day}: {len(outcome.noticed)} finding(s), {len(outcome.new)} "
               f"new, {len(outcome.imported)} statement(s) imported, {outcome.mailed} mail(s)"
               + (f"; mail failed: {outcome.mail_error}" if outcome.mail_error else "")
               + (f"; could not run: {outcome.error}" if outcome.error else ""))
    for refused in outcome.refused:
        click.echo(f"refused: {refused}", err=True)
    raise SystemExit(outcome.exit_code)
