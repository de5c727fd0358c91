"""The users file (``users.yaml``): who may sign in to ``grantpool serve --users``.

``load_users`` reads it as Fava reads its options, ``(users, errors)``, never raising:
each error names the file and the line, what is wrong and what to do, and never repeats
a password, a hash or a CPR-looking value.  A file with any error is not to be served
(the users returned are only the entries that were whole).  ``check_against`` holds the
municipalities and entities named against a federation's.  Writing it is
``grantpool.web.userwrite``'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from grantpool.entry.gitlog import OFFICER
from grantpool.privacy.cpr import looks_like_cpr
from grantpool.rules.yamlbounds import excerpt
from grantpool.rules.yamlsrc import Node, load_yaml
from grantpool.web.passwords import is_hash
from grantpool.web.people import CONSOLIDATED, POOL, Role, User

KEYS = ("user", "role", "municipality", "entities", "author", "password")
SCOPE = ("municipality", "entities")
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,31}")  # a key short and plain enough to quote


class UserFileError(NamedTuple):
    """A problem in a users file; *line* 0 is the file as a whole."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class Users(dict[str, User]):
    """Users by name, with the file they were read from and each one's line in it."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.lines: dict[str, int] = {}


def name_problem(name: str) -> str | None:
    if looks_like_cpr(name):
        return "looks like a CPR number; a user name must never be a person's number"
    if not NAME.fullmatch(name):
        return ("must be 1 to 64 of a-z, 0-9, '.', '_' and '-', beginning with a letter or "
                "digit")
    return None


def author_problem(author: str) -> str | None:
    if not OFFICER.fullmatch(author) or looks_like_cpr(author):
        return 'must be "Name <email>" (letters, spaces, . \' -; one address)'
    return None


def scope_problem(role: Role, municipality: str | None,
                  entities: tuple[str, ...] | None) -> tuple[str, str] | None:
    """``(field, why)`` when *municipality* and *entities* do not fit *role*."""
    if role is Role.OFFICER and not municipality:
        return "municipality", "an officer needs the municipality whose books they keep"
    if role is not Role.OFFICER and municipality is not None:
        return "municipality", f"only an officer has a municipality; remove it from a {role}"
    if entities is not None and role is not Role.AUDITOR:
        return "entities", f"only an auditor has a list of entities; remove it from a {role}"
    if entities is not None and not (entities and all(e.strip() for e in entities)):
        return "entities", ("must name at least one entity ([pool, Aarhus]); leave it out for "
                            "every entity")
    return None


_CPR = "holds a CPR-like number; a users file never names citizens"
_TEXT = "must be one text value (in quotes if YAML reads it as a number or yes/no)"
_LIST = "must be a list of entity names: [pool, Aarhus]"
_HASH = "not an argon2id hash; set it with `grantpool user passwd NAME` (never a password)"


def _field(node: Node, key: str) -> tuple[Any, str | None]:
    """The value of *key* (None: absent or empty) and why it is refused, if it is."""
    value, many = node.get(key), key == "entities"
    if value is None or value == "":
        return None, _LIST if many and key in node else None  # entities: empty is no "all"
    texts = value if many and isinstance(value, list) else [value]
    if key != "password" and any(looks_like_cpr(str(text)) for text in texts):
        return None, _CPR
    if not all(isinstance(text, str) for text in texts) or many is not isinstance(value, list):
        return None, _LIST if many else _TEXT
    return (tuple(value) if many else value), None


def _shown(key: object) -> str:
    return repr(key) if isinstance(key, str) and _WORD.fullmatch(key) else "a key"


def _user(path: Path, node: Node, errors: list[UserFileError]) -> User | None:
    """The user of one entry, or None with its problems added to *errors*."""
    problems = [(str(key), f"{_shown(key)} is not a key of a user; the keys are "
                           f"{', '.join(KEYS)}") for key in node if key not in KEYS]
    problems += [(key, f"{key}: missing; every user has user:, role: and password:")
                 for key in ("user", "role", "password") if node.get(key) in (None, "")]
    got: dict[str, Any] = {}
    for key in KEYS:
        got[key], why = _field(node, key)
        problems += [(key, f"{key}: {why}")] if why else []
    name, role_text, password, author = got["user"], got["role"], got["password"], got["author"]
    role = Role(role_text) if role_text in tuple(Role) else None
    checks = [("user", name_problem(name) if name else None),
              ("role", "must be ministry, officer or auditor" if role_text and not role else None),
              ("password", _HASH if password and not is_hash(password) else None),
              ("author", author_problem(author) if author else None),
              scope_problem(role, got["municipality"], got["entities"])
              if role and not any(key in SCOPE for key, _ in problems) else None]
    problems += [(c[0], f"{c[0]}: {c[1]}") for c in checks if c is not None and c[1]]
    errors.extend(UserFileError(path, node.line_of(key), why) for key, why in problems)
    if problems or name is None or role is None or password is None:
        return None
    return User(name, role, password, got["municipality"], got["entities"], author)


def _items(path: Path, doc: object, errors: list[UserFileError]) -> list[Node]:
    shape = "the file is one key, users:, holding a list of users (- user: ...)"
    listed = doc.get("users") if isinstance(doc, Node) else None
    if not isinstance(doc, Node) or not isinstance(listed, list):
        line = doc.line_of("users") if isinstance(doc, Node) else 1
        errors.append(UserFileError(path, line, shape))
        return []
    errors.extend(UserFileError(path, doc.line_of(str(key)), f"{_shown(key)} is not a key "
                                f"of the file; {shape}") for key in doc if key != "users")
    items = [item for item in listed if isinstance(item, Node)]
    if len(items) < len(listed):
        errors.append(UserFileError(path, doc.line_of("users"), "each user is a mapping of "
                                    "user:, role:, password: and the like"))
    return items


def load_users(path: Path) -> tuple[dict[str, User], list[UserFileError]]:
    """The users of the file at *path* (a ``Users``, which keeps each one's line) and
    every problem found in it; never raises."""
    users = Users(path)
    if not path.exists():
        return users, [UserFileError(path, 0, "no such file; `grantpool user add NAME --role "
                                              "ROLE` creates it")]
    doc, problems = load_yaml(path)
    errors = [UserFileError(path, int(e.source.get("lineno") or 0), e.message)
              for e in problems]
    if doc is None and not errors:
        errors.append(UserFileError(path, 0, "empty; a users file holds users: and a list"))
    for item in _items(path, doc, errors) if doc is not None else []:
        user = _user(path, item, errors)
        if user is not None and user.name in users:
            errors.append(UserFileError(path, item.line, f"user {user.name!r} is listed "
                                        f"twice (first at line {users.lines[user.name]}); "
                                        f"keep one"))
        elif user is not None:
            users[user.name], users.lines[user.name] = user, item.line
    return users, sorted(errors, key=lambda e: e.line)


def _unknown(kind: str, names: set[str], given: str) -> str:
    near = [name for name in sorted(names) if name.casefold() == given.casefold()]
    listed = ", ".join(sorted(names)[:12]) + (", ..." if len(names) > 12 else "")
    hint = f"did you mean {near[0]!r}? " if near else ""
    return (f"{excerpt(given)} is none of this federation's; {hint}the {kind} are "
            f"{listed or 'none'} (spelled as in their books)")


def check_against(users: Mapping[str, User], municipality_names: set[str],
                  entity_names: set[str]) -> list[UserFileError]:
    """An officer's municipality or an auditor's entity that the federation does not have.
    ``pool``, ``consolidated`` and every municipality are entities an auditor may name."""
    path = users.path if isinstance(users, Users) else Path("users.yaml")
    entities = set(entity_names) | set(municipality_names) | {POOL, CONSOLIDATED}
    errors = []
    for name in sorted(users):
        user, line = users[name], users.lines.get(name, 0) if isinstance(users, Users) else 0
        if user.role is Role.OFFICER and user.municipality not in municipality_names:
            why = _unknown("municipalities", municipality_names, user.municipality or "")
            errors.append(UserFileError(path, line, f"user {name!r}: municipality: {why}"))
        errors.extend(UserFileError(path, line, f"user {name!r}: entities: "
                                    f"{_unknown('entities', entities, entity)}")
                      for entity in user.entities or () if entity not in entities)
    return errors
