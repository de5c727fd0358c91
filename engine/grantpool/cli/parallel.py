"""The options of commands that work over every entity of a federation: where the
work runs (``--workers``, ``--scheduler``), the progress line on a terminal, and the one
line they end with when the books, the rules file or the cluster cannot be used."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from grantpool.audit.check import BadRules
from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules
from grantpool.cli.oneline import fail
from grantpool.federation.discover import Federation, NotAFederation
from grantpool.federation.executor import NoCluster, Runner, default_workers
from grantpool.federation.progress import Progress

# A Dask scheduler's address: one of the schemes Dask's comms speak (or none), a host (a
# name, an IPv4 address, or an IPv6 one in brackets) and a port.
SCHEDULER = re.compile(r"(?:(?:tcp|tls|ws|wss|ucx)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)"
                       r":(\d{1,5})")  # no scheme: Dask's own default, tcp


def scheduler_address(_ctx: click.Context, _param: click.Parameter, value: str | None,
                      ) -> str | None:
    """``--scheduler``'s value, refused unless it is a scheduler's address."""
    if value is None:
        return None
    found = SCHEDULER.fullmatch(value)
    if found is None or not 0 < int(found.group(2)) < 65536:
        raise click.BadParameter("give a Dask scheduler's address, tcp://HOST:PORT (as "
                                 "`dask scheduler` prints it), or leave --scheduler out")
    return value


def parallel_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers N`` and ``--scheduler tcp://HOST:PORT`` on a command."""
    command = click.option(
        "--scheduler", default=None, metavar="tcp://HOST:PORT", callback=scheduler_address,
        help="Run each entity's books on this Dask distributed scheduler (pip install "
             "'grantpool[cluster]'; its workers must see the books at the same path).",
    )(command)
    return click.option(
        "--workers", type=click.IntRange(1, 512), default=None,
        help="On a federation: local processes, each loading one entity's books at a time "
             "(default: one per core).",
    )(command)


@contextmanager
def could_not_run() -> Iterator[None]:
    """Books, a rules file or a cluster that cannot be used: one line naming why, exit 2."""
    try:
        yield
    except (CannotLoad, NoRules, NotAFederation, NoCluster) as exc:
        fail(str(exc))
    except BadRules as exc:
        fail(exc.findings[0].to_text())


def runner(workers: int | None, scheduler: str | None) -> Runner:
    return Runner(workers or default_workers(), scheduler)


def progress(what: str, federation: Federation, fmt: str) -> Progress:
    """A progress line on stderr when it is a terminal and the output is not JSON."""
    return Progress(what, len(federation.entities), sys.stderr, enabled=fmt != "json")
