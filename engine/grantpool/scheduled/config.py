"""The scheduled run's configuration (``deploy/schedule.yaml``), read to
``(config, errors)`` like a rules file.  Paths are relative to the file.

Mail goes over verified TLS: ``tls: starttls`` (the default, port 587) or ``tls: ssl``
(SMTPS, port 465), checked against the system's CAs, ``SSL_CERT_FILE``, or ``ca_file``.
``tls: none`` (port 25) is only allowed to a loopback host (a local relay).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from grantpool.rules.fields import Fields
from grantpool.rules.yamlsrc import ConfigError, Node, load_yaml

Tls = Literal["starttls", "ssl", "none"]
PORTS: dict[Tls, int] = {"starttls": 587, "ssl": 465, "none": 25}
MAIL_KEYS = frozenset({"host", "port", "tls", "starttls", "ca_file", "username_env",
                       "password_env", "sender", "ministry", "municipalities", "timeout"})


@dataclass(frozen=True)
class Thresholds:
    window_ends_within_days: int = 30
    unspent_share_over: Decimal = Decimal("0.5")
    dormant_days: int = 60


@dataclass(frozen=True)
class Mail:
    host: str
    port: int
    tls: Tls
    sender: str
    username_env: str | None
    password_env: str | None
    ministry: tuple[str, ...]
    municipalities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    timeout: int = 20
    ca_file: Path | None = None


@dataclass(frozen=True)
class Schedule:
    ledger: Path | None
    inbox: Path
    archive: Path
    state: Path
    thresholds: Thresholds
    mail: Mail | None


def load_schedule(path: Path) -> tuple[Schedule | None, list[ConfigError]]:
    doc, errors = load_yaml(path)
    if errors:
        return None, errors
    if not isinstance(doc, Node):
        return None, [ConfigError({"filename": str(path), "lineno": 1},
                                  "a schedule file is a mapping: inbox, archive, state, mail")]
    f = Fields(doc, path.name, errors)
    base = path.parent
    folders = {k: f.text(k) for k in ("inbox", "archive", "state")}
    ledger = f.text("ledger", required=False)
    limits = _thresholds(f.sub("thresholds", required=False))
    mail = _mail(f.sub("mail", required=False), base)
    if errors or any(v is None for v in folders.values()):
        return None, errors
    return Schedule(base / ledger if ledger else None, base / str(folders["inbox"]),
                    base / str(folders["archive"]), base / str(folders["state"]), limits,
                    mail), []


def _thresholds(f: Fields | None) -> Thresholds:
    if f is None:
        return Thresholds()
    default = Thresholds()
    window = f.integer("window_ends_within_days", required=False)
    share = f.decimal("unspent_share_over", required=False)
    dormant = f.integer("dormant_days", required=False)
    return Thresholds(default.window_ends_within_days if window is None else window,
                      default.unspent_share_over if share is None else share,
                      default.dormant_days if dormant is None else dormant)


def _addresses(f: Fields, key: str) -> tuple[str, ...]:
    value = f.node.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and "@" in v for v in value):
        f.fail(key, f"'{key}' must be a list of e-mail addresses")
        return ()
    return tuple(value)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _tls(f: Fields, host: str | None) -> Tls:
    """``tls: starttls|ssl|none``; the older ``starttls: true|false`` still reads."""
    tls = f.text("tls", required=False)
    if "starttls" in f.node:
        if tls is not None:
            f.fail("starttls", "give 'tls: starttls|ssl|none' only, not also 'starttls'")
        tls = "starttls" if f.boolean("starttls", True) else "none"
    if tls is None:
        return "starttls"
    if tls not in PORTS:
        f.fail("tls", f"'tls' must be starttls, ssl or none, got {tls!r}")
        return "starttls"
    if tls == "none" and host is not None and not is_loopback(host):
        f.fail("tls", f"'tls: none' sends the password in clear text: only allowed to a "
                      f"loopback host, not {host}; use starttls or ssl")
    return "none" if tls == "none" else ("ssl" if tls == "ssl" else "starttls")


def _mail(f: Fields | None, base: Path) -> Mail | None:
    if f is None:
        return None
    for key in sorted(set(f.node) - MAIL_KEYS):
        f.fail(key, f"unknown field '{key}'; the fields are {', '.join(sorted(MAIL_KEYS))}")
    host, sender = f.text("host"), f.text("sender")
    port = f.integer("port", required=False)
    tls = _tls(f, host)
    ca_file = f.text("ca_file", required=False)
    per_muni: dict[str, tuple[str, ...]] = {}
    munis = f.sub("municipalities", required=False)
    if munis is not None:
        per_muni = {str(name): _addresses(munis, str(name)) for name in munis.node}
    if host is None or sender is None:
        return None
    return Mail(host, PORTS[tls] if port is None else port, tls, sender,
                f.text("username_env", required=False), f.text("password_env", required=False),
                _addresses(f, "ministry"), per_muni,
                f.integer("timeout", required=False) or 20,
                base / ca_file if ca_file else None)
