"""``grantpool serve``: check the books, then serve them in Fava with our extension.

One set of books is one ledger.  A federation (its folder, or its consolidated
``main.beancount``) is checked entity by entity (``check_federation``) and served
by one Fava process with one ledger per set of books: the consolidated overview
first (the ministry's), then the pool's own books and each municipality's, each
under its own slug (made by Fava from the books' title), with Fava's switcher
between them.  Every request passes ``grantpool.web``'s gate: without ``--users``
on loopback only, every ledger readable; with ``--users`` behind sign-in, each
user seeing only what their role allows.  Fava's own editing is always off.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import click

from grantpool.audit.check import BadRules
from grantpool.audit.check import check as run_check
from grantpool.audit.findings import Report
from grantpool.books.loading import CannotLoad
from grantpool.cli.oneline import fail
from grantpool.federation.discover import NotAFederation, find, load_federation
from grantpool.federation.executor import Runner, default_workers
from grantpool.federation.run import check_federation
from grantpool.web.people import CONSOLIDATED, POOL


def checked(ledger: Path, as_of: datetime.date, overview: bool = True,
            ) -> tuple[Report, list[tuple[Path, str]]]:
    """The check's report and the main files to serve, each with its entity: *ledger*
    itself (``consolidated``), or a federation's consolidated main file (if any, and
    *overview*), the pool's and each municipality's."""
    if find(ledger) is None:
        return run_check(ledger, as_of), [(ledger, CONSOLIDATED)]
    federation = load_federation(ledger)
    # On local workers, keeping each entity's figures: the pool's page then opens at once.
    report = check_federation(federation, as_of, ledger, runner=Runner(default_workers()),
                              warm=True)
    files = [(federation.consolidated, CONSOLIDATED)] if (
        federation.consolidated and overview) else []
    return report, files + [(entity.main, POOL if entity.kind == "pool" else entity.name)
                            for entity in federation.entities]


def slugs(files: list[Path]) -> list[str]:
    """The slug Fava gives each of *files*: its title's (``option "title"``), made
    unique in order, as Fava does."""
    from beancount.parser import parser  # noqa: PLC0415 (heavy imports, only here)
    from fava.util import next_key, slugify  # noqa: PLC0415

    taken: dict[str, None] = {}
    for path in files:
        options = parser.parse_file(str(path))[2]
        slug = slugify(str(options.get("title") or "")) or slugify(str(path.resolve()))
        taken[next_key(slug, taken)] = None
    return list(taken)


def _logging(log_file: Path | None) -> None:
    handler: logging.Handler = (logging.FileHandler(log_file, encoding="utf-8")
                                if log_file else logging.StreamHandler())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("grantpool.web")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # only here, not again through Fava's root handler


@click.command("serve")
@click.argument("ledger", type=click.Path(path_type=Path), default=Path("ledger/main.beancount"),
                required=False)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; beyond loopback only with --users.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--users", "users", type=click.Path(path_type=Path), envvar="GRANTPOOL_USERS",
              default=None, help="Users file: serve behind sign-in (see `grantpool user`).")
@click.option("--allowed-host", "allowed_hosts", multiple=True,
              help="A host name browsers use to reach the server (repeat); loopback names "
                   "are allowed on loopback.")
@click.option("--read-write", is_flag=True,
              help="Without --users: the Grant pool forms may record entries (checked).")
@click.option("--idle-minutes", default=30, show_default=True, type=int,
              help="Sign out a session unused this long.")
@click.option("--behind-tls", is_flag=True, help="Cookies only over HTTPS (a TLS proxy in front).")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True,
              help="Address of a single-sign-on proxy whose --user-header is believed.")
@click.option("--user-header", default=None, help="Header naming the user, e.g. X-Forwarded-User.")
@click.option("--secret-file", type=click.Path(path_type=Path), default=None,
              help="Key signing the session cookies (else a new one each start).")
@click.option("--no-overview", is_flag=True,
              help="On a federation, leave the consolidated overview out (at national size "
                   "it is 1.25M transactions and about 4 GB to load).")
@click.option("--log", "log_file", type=click.Path(path_type=Path), default=None,
              help="Log sign-ins, refusals and writes here (default: standard error).")
def serve_command(ledger: Path, host: str, port: int, users: Path | None,
                  allowed_hosts: tuple[str, ...], read_write: bool, idle_minutes: int,
                  behind_tls: bool, trusted_proxies: tuple[str, ...], user_header: str | None,
                  secret_file: Path | None, no_overview: bool, log_file: Path | None,
                  ) -> None:
    """Check the books, then serve them in Fava: on loopback read-only, or with --users
    behind sign-in, each user seeing only the books their role allows.

    LEDGER is a main file, or a federation (its folder or consolidated main file):
    then every entity's own books and the consolidated overview (unless --no-overview),
    each under its slug."""
    from grantpool.web.setup import (  # noqa: PLC0415 (Flask: only for this command)
        BadServe,
        ServeOptions,
        guarded_app,
        settings_for,
    )

    options = ServeOptions(host, port, users, allowed_hosts, read_write, idle_minutes,
                           behind_tls, trusted_proxies, user_header, secret_file)
    try:
        report, served = checked(ledger, datetime.date.today(), overview=not no_overview)
        files = [path for path, _ in served]
        from grantpool.fava_ext import WRITE_ENDPOINTS  # noqa: PLC0415 (imports Fava)

        ledgers = dict(zip(slugs(files), (entity for _, entity in served), strict=True))
        settings = settings_for(options, ledgers, frozenset(WRITE_ENDPOINTS))
    except (CannotLoad, BadRules, NotAFederation, BadServe) as exc:
        fail(str(exc))
        return
    click.echo(report.to_text())
    _logging(log_file)
    app = guarded_app(files, settings)
    from cheroot.wsgi import Server  # noqa: PLC0415 (Fava's own server)

    click.echo(f"Serving {ledger} on http://{host}:{port}/ "
               f"({'sign-in: ' + str(users) if users else 'no sign-in, loopback'}; Ctrl-C stops)")
    for slug, path in zip(ledgers, files, strict=True):
        click.echo(f"  http://{host}:{port}/{slug}/  {path}")
    server = Server((host, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
    except OSError as exc:
        fail(f"--port {port}: cannot listen on {host}:{port} ({exc}); choose another port")
