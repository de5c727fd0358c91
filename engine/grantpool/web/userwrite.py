"""Writing the users file: whole or not at all (a temporary file beside it, fsync,
rename), private to its owner (0600), one writer at a time (``locked``: two ``grantpool
user add`` at once would otherwise lose one of them).  ``permission_problem`` is what
``grantpool serve`` refuses to start on.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml
from filelock import FileLock, Timeout

from grantpool.rules.yamlbounds import excerpt
from grantpool.web.people import User

HEADER = """\
# Who may sign in to `grantpool serve --users`; written by `grantpool user add|remove|passwd`.
# Keep it private to its owner (chmod 600).  role: ministry, officer (municipality: its own
# books) or auditor (entities: [pool, Aarhus]; without the key, every entity).
"""


class Busy(Exception):
    """Another ``grantpool user`` command is writing the file."""


@contextlib.contextmanager
def locked(path: Path, wait: float = 10.0) -> Iterator[None]:
    """Hold the users file's lock (``.<name>.lock`` beside it) while reading and
    writing it back."""
    lock = FileLock(path.with_name(f".{path.name}.lock"), timeout=wait)
    try:
        with lock:
            yield
    except Timeout as exc:
        raise Busy(f"{path}: another `grantpool user` command is writing it; try again") \
            from exc


def render(users: Mapping[str, User]) -> str:
    """The file's text: the header, then each user by name, fields in a fixed order."""
    listed = []
    for name in sorted(users):
        user = users[name]
        fields = {"user": user.name, "role": str(user.role), "municipality": user.municipality,
                  "entities": list(user.entities) if user.entities is not None else None,
                  "author": user.author, "password": user.password_hash}
        listed.append({k: v for k, v in fields.items() if v is not None})
    return HEADER + yaml.safe_dump({"users": listed}, sort_keys=False, allow_unicode=True,
                                   default_flow_style=False, width=1000)


def save_users(path: Path, users: Mapping[str, User]) -> None:
    """Write *users* to *path* whole or not at all, mode 0600 (raises OSError)."""
    text = render(users)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def add_user(users: Mapping[str, User], user: User) -> dict[str, User]:
    """*users* with *user* added; ValueError when the name is taken."""
    if user.name in users:
        raise ValueError(f"user {user.name!r} exists; change the password with "
                         f"`grantpool user passwd {user.name}`")
    return {**users, user.name: user}


def remove_user(users: Mapping[str, User], name: str) -> dict[str, User]:
    """*users* without *name*; ValueError when there is no such user."""
    if name not in users:
        raise ValueError(f"no user {excerpt(name)}; `grantpool user list` shows the users")
    return {k: v for k, v in users.items() if k != name}


def permission_problem(path: Path) -> str | None:
    """A one-line text when the file is readable or writable by its group or by others
    (or cannot be looked at), None when it is private to its owner."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        return f"cannot look at {path} ({exc.strerror or exc})"
    if not mode & 0o077:
        return None
    what = " and ".join(w for bits, w in ((0o044, "readable"), (0o022, "writable"))
                        if mode & bits) or "open"
    whom = " and ".join(w for bits, w in ((0o070, "its group"), (0o007, "other users"))
                        if mode & bits)
    return f"{path} is {what} by {whom}; run chmod 600 {shlex.quote(str(path))}"
