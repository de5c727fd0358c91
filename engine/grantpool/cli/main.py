"""The ``grantpool`` command line. Each command adapts input and output only; the logic
lives in the package's own modules.

Commands are imported when they are run (or listed by ``--help``), not when the program
starts: a command pays for its own imports only (the spreadsheet library of ``sample``,
the web server of ``serve``), so a one-entry command on small books starts as fast as
Beancount's own tools.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import click

from grantpool import __version__
from grantpool.cli.oneline import OneLineGroup

# name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "accounts": "grantpool.cli.accounts:accounts_command",
    "allocate": "grantpool.cli.allocate:allocate_command",
    "budget": "grantpool.cli.entry:budget_command",
    "check": "grantpool.cli.audit:check",
    "commit": "grantpool.cli.entry:commit_command",
    "deploy-files": "grantpool.cli.deploy:deploy_files_command",
    "event": "grantpool.cli.entry:event_command",
    "generate": "grantpool.cli.generate:generate",
    "import": "grantpool.cli.bank:import_command",
    "init": "grantpool.cli.allocate:init_command",
    "purchase": "grantpool.cli.entry:purchase_command",
    "reconcile": "grantpool.cli.audit:reconcile",
    "repayment": "grantpool.cli.entry:repayment_command",
    "report": "grantpool.cli.report:report",
    "return": "grantpool.cli.entry:return_command",
    "salary": "grantpool.cli.entry:salary_command",
    "sample": "grantpool.cli.sample:sample_group",
    "scheduled": "grantpool.cli.scheduled:scheduled_command",
    "serve": "grantpool.cli.serve:serve_command",
    "user": "grantpool.cli.users:user_group",
    "vouchers": "grantpool.cli.vouchers:vouchers_group",
}


class Commands(OneLineGroup):
    """The top-level group: each command is imported from ``COMMANDS`` when asked for."""

    def list_commands(self, ctx: click.Context) -> Sequence[str]:  # type: ignore[override]
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=Commands)
@click.version_option(__version__, prog_name="grantpool")
def main() -> None:
    """Grant-pool accounting on Beancount: pool, municipalities, citizens' budgets."""


if __name__ == "__main__":
    main()
