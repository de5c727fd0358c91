"""The command table: every command is found by its name, and starting one imports only
what that command needs (the spreadsheet library, the web server and Babel stay out of an
entry or a check)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from grantpool.cli import main
from grantpool.cli.main import COMMANDS

HEAVY = ("openpyxl", "flask", "fava", "babel", "distributed", "cheroot", "argon2")


def test_commands__each_name_gives_the_command_of_that_name() -> None:
    ctx = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None and command.name == name
    assert main.get_command(ctx, "no-such-command") is None


def test_commands__help_lists_every_command() -> None:
    listed = main.get_help(click.Context(main))
    for name in COMMANDS:
        assert f"  {name} " in listed


@pytest.mark.parametrize(("module", "allowed"), [
    ("grantpool.cli", ()),
    ("grantpool.cli.entry", ()),
    ("grantpool.cli.audit", ()),
    ("grantpool.cli.report", ()),
    ("grantpool.cli.bank", ()),
    ("grantpool.cli.sample", ("openpyxl",)),
])
def test_start__a_command_imports_only_what_it_needs(module: str, allowed: tuple[str, ...],
                                                     ) -> None:
    code = (f"import sys, {module}\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert loaded & set(HEAVY) == set(allowed)
    if module == "grantpool.cli":
        assert "beancount" not in loaded  # `grantpool --help` and `--version` load no books
