"""``grantpool scheduled``: the daily unattended run, for systemd or cron."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from grantpool.rules.yamlsrc import location


@click.command("scheduled")
@click.argument("ledger", type=click.Path(path_type=Path), required=False)
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              default=Path("deploy/schedule.yaml"), show_default=True)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Run as if on this day (default: today).")
def scheduled_command(ledger: Path | None, config_path: Path,
                      as_of: datetime.datetime | None) -> None:
    """Import waiting statements, check everything as of today, mail what is new.

    LEDGER may be a federation (its folder or consolidated main file): each statement goes
    to its entity's own books, and each entity's books are checked on their own.

    Exit 0 all clear, 1 findings, 2 the whole job was not done (a statement refused, books
    or rules unreadable, the state folder not writable, mail not sent); status.json says why.
    """
    from grantpool.scheduled.config import load_schedule  # noqa: PLC0415 (smtplib: load late)
    from grantpool.scheduled.outcome import one_line, reason  # noqa: PLC0415
    from grantpool.scheduled.run import record_crash, run  # noqa: PLC0415

    schedule, errors = load_schedule(config_path)
    if schedule is None:
        for error in errors:
            click.echo(one_line(f"{location(error.source)}: "
                                f"{error.message}"), err=True)
        raise SystemExit(2)
    books = ledger or schedule.ledger or Path("ledger/main.beancount")
    day = as_of.date() if as_of else datetime.date.today()
    try:
        outcome, unrecorded = run(schedule, books, day)
    # The one broad guard: every failure the run knows is caught where it happens, but the
    # daily run must record even a failure nobody foresaw (status.json, a mail, exit 2)
    # rather than die with a traceback that systemd or cron might not report.
    except Exception as exc:  # noqa: BLE001
        outcome, unrecorded = record_crash(schedule, books, day,
                                           reason(exc, "unexpected error, the run stopped"))
    click.echo(f"{books} as of {day}: {len(outcome.noticed)} finding(s), {len(outcome.new)} "
               f"new, {len(outcome.imported)} statement(s) imported, {outcome.mailed} mail(s)")
    for failure in outcome.failures:
        click.echo(f"failed: {failure}", err=True)
    if outcome.mail_error:
        click.echo(f"mail failed: {outcome.mail_error}", err=True)
    if unrecorded:
        click.echo(f"failed: {unrecorded}", err=True)
    raise SystemExit(2 if unrecorded else outcome.exit_code)
