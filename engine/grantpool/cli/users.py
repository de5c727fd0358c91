"""``grantpool user add|remove|list|passwd``: the users file of ``grantpool serve --users``.

The file is ``--users``, else ``$GRANTPOOL_USERS``, else ``users.yaml`` here.  Nothing is
written unless the input and the file as it stands are both good; the file is then
written whole, private to its owner (0600).  A password is typed twice at a hidden
prompt, or read as one line from standard input (``--password-stdin``); never an
option, which ``ps`` and the shell's history would show.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import click

from grantpool.cli.oneline import fail
from grantpool.web.passwords import hash_password, password_problem
from grantpool.web.people import Role, User
from grantpool.web.userfile import author_problem, load_users, name_problem, scope_problem
from grantpool.web.userwrite import (
    Busy,
    add_user,
    locked,
    permission_problem,
    remove_user,
    save_users,
)

DEFAULT_USERS = Path("users.yaml")
OPTION_OF = {"municipality": "--municipality", "entities": "--entity"}

users_option = click.option(
    "--users", "users_path", type=click.Path(path_type=Path, dir_okay=False),
    envvar="GRANTPOOL_USERS", default=DEFAULT_USERS, show_default=True,
    help="The users file (default: $GRANTPOOL_USERS, else users.yaml here).")
stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password as one line from standard input instead of a prompt.")


@click.group("user")
def user_group() -> None:
    """Who may sign in to `grantpool serve --users`: add, remove, list, passwd."""


def _load(path: Path, missing_ok: bool = False) -> Mapping[str, User]:
    if missing_ok and not path.exists() and not path.is_symlink():
        return {}
    users, errors = load_users(path)
    if errors:
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        fail(f"{errors[0]}{more}; nothing was written")
    return users


def _password(from_stdin: bool) -> str:
    """The hash of a new password, asked for (twice) or read from standard input."""
    if from_stdin:
        plain = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not plain:
            fail("--password-stdin: no password on standard input; give it as one line")
    else:
        plain = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    why = password_problem(plain)
    if why:
        fail(f"{why}; nothing was written")
    return hash_password(plain)


def _change(path: Path, change: Callable[[Mapping[str, User]], Mapping[str, User]],
            missing_ok: bool = False) -> None:
    """Read the file, apply *change*, write it back: all under the file's lock, so a
    second command at the same time waits rather than losing this one's change."""
    try:
        with locked(path):
            users = _load(path, missing_ok)
            try:
                changed = change(users)
            except ValueError as exc:
                fail(f"{path}: {exc}; nothing was written")
            save_users(path, changed)
    except Busy as exc:
        fail(f"{exc}; nothing was written")
    except OSError as exc:
        fail(f"{path}: cannot write it ({exc.strerror or exc}); nothing was written")


def _checked_name(name: str) -> str:
    why = name_problem(name)
    if why:
        fail(f"the user name {why}; nothing was written")
    return name


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([str(role) for role in Role]), required=True,
              help="ministry: reads everything; officer: one municipality's books; "
                   "auditor: reads all or the --entity ones.")
@click.option("--municipality", default=None, help="An officer's municipality, as in its books.")
@click.option("--entity", "entities", multiple=True,
              help="An auditor's entity (repeat; pool, consolidated or a municipality); "
                   "none: every entity.")
@click.option("--author", default=None,
              help='"Name <email>" of the officer\'s git commits (default: from NAME).')
@users_option
@stdin_option
def add_command(name: str, role: str, municipality: str | None, entities: tuple[str, ...],
                author: str | None, users_path: Path, password_stdin: bool) -> None:
    """Add the user NAME, asking for the password."""
    _checked_name(name)
    if author is not None and (why := author_problem(author)):
        fail(f"--author {why}; nothing was written")
    scope = scope_problem(Role(role), municipality, entities or None)
    if scope:
        fail(f"{OPTION_OF[scope[0]]}: {scope[1]}; nothing was written")
    users = _load(users_path, missing_ok=True)
    if name in users:
        fail(f"user {name!r} is already in {users_path}; change the password with "
             f"`grantpool user passwd {name}`")
    user = User(name, Role(role), _password(password_stdin), municipality, entities or None,
                author)
    _change(users_path, lambda now: add_user(now, user), missing_ok=True)
    click.echo(f"added {name} ({role}) to {users_path}")


@user_group.command("remove")
@click.argument("name")
@users_option
def remove_command(name: str, users_path: Path) -> None:
    """Remove the user NAME.

    A running server reads the file again and refuses them from their next request."""
    _change(users_path, lambda now: remove_user(now, name))
    click.echo(f"removed {name} from {users_path}")


def scope_of(user: User) -> str:
    """What the user may see, in words: a municipality, a list of entities, or all."""
    if user.role is Role.OFFICER:
        return f"{user.municipality} (reads and records)"
    if user.role is Role.AUDITOR and user.entities is not None:
        return ", ".join(user.entities)
    return "every entity"


@user_group.command("list")
@users_option
def list_command(users_path: Path) -> None:
    """List the users: name, role and scope (never a password's hash)."""
    users = _load(users_path)
    problem = permission_problem(users_path)
    if problem:
        click.echo(f"grantpool: note: {problem}", err=True)
    if not users:
        click.echo(f"no users in {users_path}")
        return
    rows = [("user", "role", "scope")] + [
        (name, str(users[name].role), scope_of(users[name])) for name in sorted(users)]
    wide = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, role, scope in rows:
        click.echo(f"{name:<{wide[0]}}  {role:<{wide[1]}}  {scope}")


@user_group.command("passwd")
@click.argument("name")
@users_option
@stdin_option
def passwd_command(name: str, users_path: Path, password_stdin: bool) -> None:
    """Set a new password for the user NAME."""
    users = _load(users_path)
    if name not in users:
        _checked_name(name)
        fail(f"{users_path}: no user {name!r}; `grantpool user list` shows the users")
    new_hash = _password(password_stdin)

    def change(now: Mapping[str, User]) -> Mapping[str, User]:
        if name not in now:
            raise ValueError(f"no user {name!r} any more")
        return {**now, name: dataclasses.replace(now[name], password_hash=new_hash)}

    _change(users_path, change)
    click.echo(f"changed the password of {name} in {users_path}")
