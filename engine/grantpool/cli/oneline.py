"""Bad command-line input as one line on stderr, exit 2: ``grantpool: <what> (<option>)``.

Click prints a usage block and a hint before its error; an operator's log and a
scheduled job want the one line that names the option and what to do.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from grantpool.privacy.cpr import redact


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, ``grantpool: <message>`` (a CPR-looking number in it, the
    user's input repeated, removed), then exit *code* (2: could not run)."""
    click.echo(f"grantpool: {redact(message)}", err=True)
    sys.exit(code)


class OneLineGroup(click.Group):
    """A click group whose usage errors are one line naming the option, exit 2."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        try:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, **extra)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.exceptions.NoArgsIsHelpError as exc:  # a command asked for by name only
            exc.show()  # the help as click prints it, on stderr, exit 2
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            _one_line(exc)
        except click.Abort:
            click.echo("grantpool: aborted", err=True)
            sys.exit(1)


def _one_line(exc: click.ClickException) -> NoReturn:
    message = " ".join(redact(exc.format_message()).split()).rstrip(".")
    click.echo(f"grantpool: {message}; see --help", err=True)
    sys.exit(exc.exit_code)
