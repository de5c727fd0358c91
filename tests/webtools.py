"""A served example federation behind sign-in, for the access tests: a copy of the
example books, a users file with one user of each role, and the guarded Fava app
built exactly as ``grantpool serve --users`` builds it."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from grantpool.cli.serve import checked, slugs
from grantpool.fava_ext import WRITE_ENDPOINTS
from grantpool.web.app import Settings
from grantpool.web.passwords import hash_password
from grantpool.web.people import Role, User
from grantpool.web.setup import ServeOptions, guarded_app, settings_for
from grantpool.web.userwrite import save_users
from tests.conftest import EXAMPLE, RULES

PASSWORD = "correct horse battery staple"
POOL = "grant-pool-dk2017-pool"
CONSOLIDATED = "grant-pool-dk2017"
AARHUS = "grant-pool-dk2017-aarhus"
KOLDING = "grant-pool-dk2017-kolding"
SLUGS = {"consolidated": CONSOLIDATED, "pool": POOL, "Aarhus": AARHUS,
         "Halsnæs": "grant-pool-dk2017-halsnæs", "Kolding": KOLDING,
         "Lejre": "grant-pool-dk2017-lejre"}
PEOPLE = {
    "minister": (Role.MINISTRY, None, None),
    "aarhus-officer": (Role.OFFICER, "Aarhus", None),
    "revisor": (Role.AUDITOR, None, None),
    "kolding-revisor": (Role.AUDITOR, None, ("Kolding",)),
}


def federation_copy(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root / "ledger", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(RULES, root / "rules")
    return root / "ledger"


def users_file(root: Path) -> Path:
    hashed = hash_password(PASSWORD)
    users = {name: User(name, role, hashed, municipality=muni, entities=entities)
             for name, (role, muni, entities) in PEOPLE.items()}
    path = root / "users.yaml"
    save_users(path, users)
    return path


def served(ledger: Path, options: ServeOptions) -> tuple[Any, Settings, list[Path]]:
    """The guarded app for *ledger*, as ``grantpool serve`` builds it (check skipped)."""
    import datetime  # noqa: PLC0415

    _, pairs = checked(ledger, datetime.date(2020, 1, 1))
    files = [path for path, _ in pairs]
    ledgers = dict(zip(slugs(files), (entity for _, entity in pairs), strict=True))
    settings = settings_for(options, ledgers, frozenset(WRITE_ENDPOINTS))
    # Polled, not watched: every app built here lives until the test process ends, and
    # an inotify watcher per ledger would use up the user's 128 inotify instances.
    return guarded_app(files, settings, poll_watcher=True), settings, files


def with_settings(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: Any, user: str, password: str = PASSWORD, follow: bool = False) -> Any:
    token = csrf_of(client.get("/signin").get_data(as_text=True))
    return client.post("/signin", data={"user": user, "password": password,
                                        "csrf_token": token, "next": "/"},
                       follow_redirects=follow)


def books_digest(folder: Path) -> str:
    """One digest of every file under *folder*: equal before and after means nothing
    was written."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
