"""Who may write through the extension's endpoints, and how a write is committed.

``grantpool.web.app`` lets a POST reach Fava only for an endpoint of
``grantpool.fava_ext.WRITE_ENDPOINTS``, with the session's CSRF token, and only for an
officer whose municipality the books are.  The endpoints check again here (defence in
depth): the request carries the form's own ``X-Grantpool`` header, the books are not
the pool's own (they hold no citizen), and a signed-in user writes these books.  Served
without sign-in (Fava alone, on loopback with ``--read-write``) anyone Fava lets write
may.  A signed-in user's write is committed to git, authored by the user, when the
books' folder is in a git work tree; else it is written without a commit.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from flask import Response, jsonify, request

from grantpool.entry.gitlog import git_commit_step
from grantpool.entry.guard import AfterWrite
from grantpool.fava_ext.entryform import record_other
from grantpool.fava_ext.federated import Place, Where
from grantpool.fava_ext.form import record_purchase
from grantpool.fava_ext.posted import AfterFor, Answer, no_after, read_only
from grantpool.fava_ext.texts import texts
from grantpool.i18n import N_, language
from grantpool.rules.spec import RuleSet
from grantpool.web.context import signed_in
from grantpool.web.people import User

HEADER = "X-Grantpool"
# (the books' main file, the posted body, the translator, the step after the write)
Recorder = Callable[[Path, Any, Callable[..., str], AfterFor], Answer]


def own_municipality(place: Place | None) -> str | None:
    """The municipality whose own books these are (None: the pool's, the consolidated
    books, or books kept in one ledger)."""
    return place.entity.name if place is not None and place.kind == "municipality" else None


def writable(app: Any, where: Where) -> bool:
    """Whether the citizen page offers the forms: Fava may write, these books hold the
    citizens (the pool's own books do not), and a signed-in user writes them."""
    return not read_only(app) and where.rollup is None and may_write(signed_in(),
                                                                      where.place)


def may_write(user: User | None, place: Place | None) -> bool:
    """Whether *user* records entries in the books at *place*: anyone when no one signs
    in; else only a user who writes this municipality's books."""
    if user is None:
        return True
    own = own_municipality(place)
    return own is not None and user.writes(own)


def refusal(header: str | None, endpoint: str, where: Where, user: User | None,
            t: Callable[..., str]) -> Answer | None:
    """The 403 answer to a write that must not reach the books, or None."""
    if header != endpoint:
        return 403, {"ok": False, "message": f"missing {HEADER} header", "findings": []}
    if where.rollup is not None:  # the pool's own books hold no citizen
        return 403, {"ok": False, "message": "record it in the municipality's books",
                     "findings": []}
    if not may_write(user, where.place):
        return 403, {"ok": False, "findings": [],
                     "message": t(N_("you may not record entries in these books"))}
    return None


def respond(endpoint: str, where: Where, ledger: Any,
            rules: Callable[[], tuple[RuleSet | None, str]]) -> Response:
    """The JSON answer to the request's POST to *endpoint* of Fava's *ledger*: refused
    (``refusal``), or recorded by the endpoint's form with the books' rules file
    readable, and then the books reloaded (the page shown next holds the new line)."""
    body = request.get_json(silent=True)
    asked = body.get("lang") if isinstance(body, dict) else None
    t = texts(language(asked if isinstance(asked, str) else None)).t
    user = signed_in()
    refused = refusal(request.headers.get(HEADER), endpoint, where, user, t)
    ruleset, why = rules() if refused is None else (None, "")
    if refused is not None:
        status, answer = refused
    elif ruleset is None:
        status, answer = 400, {"ok": False, "message": why, "findings": []}
    else:
        status, answer = _recorder(endpoint, where)(Path(ledger.beancount_file_path), body,
                                                    t, after_for(user))
    if answer.get("ok"):
        ledger.load_file()
    return jsonify(answer), status  # type: ignore[return-value]


def _recorder(endpoint: str, where: Where) -> Recorder:
    if endpoint == "purchase":
        return record_purchase
    return partial(record_other, own=own_municipality(where.place))


def in_work_tree(folder: Path) -> bool:
    """Whether *folder* is inside a git work tree (False when git cannot run)."""
    try:
        done = subprocess.run(["git", "-C", str(folder), "rev-parse",
                               "--is-inside-work-tree"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"


def after_for(user: User | None) -> AfterFor:
    """For the books an entry is written to: a git commit authored by *user* when one
    is signed in and the books are in a git work tree, else nothing after the write."""
    if user is None:
        return no_after

    def step(main: Path) -> AfterWrite | None:
        if not in_work_tree(main.resolve().parent):
            return None
        return git_commit_step(main, user.commit_author())

    return step
