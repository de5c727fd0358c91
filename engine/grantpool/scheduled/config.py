"""The scheduled run's configuration (``deploy/schedule.yaml``), read to
``(config, errors)`` like a rules file.  Paths are relative to the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from grantpool.rules.fields import Fields
from grantpool.rules.yamlsrc import ConfigError, Node, load_yaml


@dataclass(frozen=True)
class Thresholds:
    window_ends_within_days: int = 30
    unspent_share_over: Decimal = Decimal("0.5")
    dormant_days: int = 60


@dataclass(frozen=True)
class Mail:
    host: str
    port: int
    starttls: bool
    sender: str
    username_env: str | None
    password_env: str | None
    ministry: tuple[str, ...]
    municipalities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    timeout: int = 20


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
    mail = _mail(f.sub("mail", required=False))
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


def _mail(f: Fields | None) -> Mail | None:
    if f is None:
        return None
    host, sender = f.text("host"), f.text("sender")
    port = f.integer("port", required=False)
    per_muni: dict[str, tuple[str, ...]] = {}
    munis = f.sub("municipalities", required=False)
    if munis is not None:
        per_muni = {str(name): _addresses(munis, str(name)) for name in munis.node}
    if host is None or sender is None:
        return None
    return Mail(host, 25 if port is None else port, f.boolean("starttls", False), sender,
                f.text("username_env", required=False), f.text("password_env", required=False),
                _addresses(f, "ministry"), per_muni,
                f.integer("timeout", required=False) or 20)
