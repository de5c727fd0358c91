"""Options and exit codes several commands share."""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_LEDGER = Path("ledger/main.beancount")
EXIT_FINDINGS = 1  # 0: clean; 1: findings; 2: could not run (see ``oneline.fail``)

ledger_argument = click.argument(
    "ledger", type=click.Path(path_type=Path), default=DEFAULT_LEDGER, required=False
)

as_of_option = click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
    help="The day the figures or the check are for (YYYY-MM-DD); default: today.")
