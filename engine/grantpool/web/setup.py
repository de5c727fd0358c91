"""From ``grantpool serve``'s options to the guarded Fava app, refusing any set-up
that would serve the books to the wrong people: beyond loopback only with sign-in
and named host names; a users file only if no one else can read it, and only naming
municipalities and entities the federation has."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask

from grantpool.web.app import Settings, guard
from grantpool.web.people import CONSOLIDATED, POOL
from grantpool.web.sessions import SessionTable
from grantpool.web.userfile import check_against, load_users
from grantpool.web.users_live import LiveUsers
from grantpool.web.userwrite import permission_problem

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})


class BadServe(ValueError):
    """The server cannot start as asked; the message says which option and what to do."""


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    users: Path | None = None
    allowed_hosts: tuple[str, ...] = ()
    read_write: bool = False
    idle_minutes: int = 30
    behind_tls: bool = False
    trusted_proxies: tuple[str, ...] = ()
    user_header: str | None = None
    secret_file: Path | None = None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def entity_names(ledgers: dict[str, str]) -> set[str]:
    return set(ledgers.values()) | {POOL, CONSOLIDATED}


def settings_for(options: ServeOptions, ledgers: dict[str, str],
                 write_endpoints: frozenset[str]) -> Settings:
    """The guard's settings, or ``BadServe``.  *ledgers*: each served slug and its
    entity (a municipality's name, ``pool`` or ``consolidated``)."""
    loopback = is_loopback(options.host)
    if not loopback and options.users is None:
        raise BadServe(f"--host {options.host}: serving beyond this machine needs sign-in; "
                       f"give --users FILE (made with `grantpool user add`)")
    if not loopback and not options.allowed_hosts:
        raise BadServe("--allowed-host: name the host name(s) officers type in their "
                       "browser, e.g. --allowed-host grants.example.dk")
    if options.users is not None and options.read_write:
        raise BadServe("--read-write: with --users, officers record entries through the "
                       "Grant pool forms and Fava's own editing stays off; leave it out")
    if options.user_header and not options.trusted_proxies:
        raise BadServe("--user-header needs --trusted-proxy ADDRESS: the header is believed "
                       "only from the single-sign-on proxy")
    if not 1 <= options.idle_minutes <= 24 * 60:
        raise BadServe("--idle-minutes must be 1 to 1440")
    users = _users(options.users, ledgers) if options.users is not None else None
    hosts = {h.lower() for h in options.allowed_hosts}
    if loopback:
        hosts |= LOOPBACK_NAMES
    return Settings(ledgers=ledgers, write_endpoints=write_endpoints,
                    allowed_hosts=frozenset(hosts), users=users,
                    writable=options.read_write,
                    idle=timedelta(minutes=options.idle_minutes),
                    secure_cookies=options.behind_tls,
                    trusted_proxies=frozenset(options.trusted_proxies),
                    user_header=options.user_header,
                    secret_key=_secret(options.secret_file),
                    sessions=SessionTable(options.idle_minutes * 60.0))


def _users(path: Path, ledgers: dict[str, str]) -> LiveUsers:
    users, errors = load_users(path)
    if errors:
        raise BadServe(str(errors[0]))
    problem = permission_problem(path)
    if problem:
        raise BadServe(problem)
    munis = set(ledgers.values()) - {POOL, CONSOLIDATED}
    mismatched = check_against(users, munis, entity_names(ledgers))
    if mismatched:
        raise BadServe(str(mismatched[0]))
    return LiveUsers(path, users)


def _secret(path: Path | None) -> bytes:
    if path is None:
        return secrets.token_bytes(32)  # a new key each start: a restart signs all out
    problem = permission_problem(path)
    if problem:
        raise BadServe(problem)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise BadServe(f"--secret-file {path}: cannot be read ({exc.strerror})") from exc
    if len(key) < 32:
        raise BadServe(f"--secret-file {path}: holds fewer than 32 bytes; make one with "
                       f"`head -c 48 /dev/urandom | base64 > {path.name}`")
    return key


def guarded_app(files: list[Path], settings: Settings, poll_watcher: bool = True) -> Flask:
    """Fava serving *files*, behind the guard.  Fava itself runs read-only unless a
    checked write endpoint may be used (the guard refuses Fava's own writes anyway).
    *poll_watcher*: Fava notices changed files by looking at them when a ledger is asked
    for, not through inotify watchers (two per ledger: a national federation's 100
    ledgers need more than Linux's default 128 inotify instances, and a watcher that
    cannot start never reports a change)."""
    from fava.application import create_app  # noqa: PLC0415 (heavy import, only here)

    may_write = settings.users is not None or settings.writable
    app = create_app([str(path.resolve()) for path in files], read_only=not may_write,
                     poll_watcher=poll_watcher)
    return guard(app, settings)
