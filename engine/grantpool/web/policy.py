"""Every request decided before Fava sees it: pure, from the request's facts alone.

The first path segment names the ledger (Fava's slug).  A user reads a ledger only
if their role lets them read its entity (``User.reads``); any slug they may not
read, a ledger that does not exist included, is refused alike, so a refusal never
tells whether another entity's books exist.  Nothing but GET and HEAD reaches Fava,
except a POST to one of the Grant pool extension's checked write endpoints by a user
who writes those books (``User.writes``): Fava's own editor, source, upload,
document and add-entries endpoints are refused for every role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from grantpool.web.people import User

EXTENSION = "GrantPool"
READ_METHODS = frozenset({"GET", "HEAD"})
#: Paths served before sign-in (the sign-in page itself) or that leave a session.
OPEN_PATHS = frozenset({"/signin", "/signout"})
#: BQL that reaches beyond the books: ``CREATE TABLE t USING "csv:/any/path"`` opens a
#: file of the server's (and tells whether it exists).
OPENS_FILES = re.compile(r"\b(create|insert)\b", re.IGNORECASE)


class Verdict(Enum):
    ALLOW = "allow"
    SIGN_IN = "sign-in"        # no user: a page is sent to /signin, anything else 401
    HOME = "home"              # "/": the user's first ledger
    FORBIDDEN = "forbidden"    # 403


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str = ""
    write: bool = False        # a checked write: the CSRF token must match


@dataclass(frozen=True)
class Ask:
    """What a request asks: its method, path (without the query), the BQL query it
    carries (Fava's ``query_string``) and where it says it came from (``Referer``)."""

    method: str
    path: str
    bql: str = ""
    referrer_host: str | None = None
    host: str = ""

    def parts(self) -> list[str]:
        return [part for part in self.path.split("/") if part]


def decide(ask: Ask, user: User | None, ledgers: Mapping[str, str],
           write_endpoints: frozenset[str]) -> Decision:
    """The decision on *ask* by *user* (None: not signed in); *ledgers* maps each
    served slug to its entity's name (a municipality's, ``pool`` or ``consolidated``)."""
    if ask.path in OPEN_PATHS:
        return Decision(Verdict.ALLOW, write=ask.method not in READ_METHODS)
    if user is None:
        return Decision(Verdict.SIGN_IN, "sign in first")
    return _signed_in(ask, user, ledgers, write_endpoints)


def _signed_in(ask: Ask, user: User, ledgers: Mapping[str, str],
               write_endpoints: frozenset[str]) -> Decision:
    parts = ask.parts()
    reading = ask.method in READ_METHODS
    if not parts or parts[0] == "static" or ask.path == "/jump":
        return _unscoped(ask, bool(parts), reading)
    entity = ledgers.get(parts[0])
    if entity is None or not user.reads(entity):
        return Decision(Verdict.FORBIDDEN, "these books are not yours to see")
    if OPENS_FILES.search(ask.bql):
        return Decision(Verdict.FORBIDDEN, "a query may only read these books, not make "
                                           "tables of files on the server (CREATE, INSERT)")
    if reading:
        return Decision(Verdict.ALLOW)
    return _write(ask, parts, user.writes(entity), write_endpoints)


def _unscoped(ask: Ask, parts: bool, reading: bool) -> Decision:
    """The home page, Fava's own scripts and styles, its filter redirect: no data."""
    if not reading:
        return _no_edit()
    if ask.path == "/jump" and ask.referrer_host != ask.host:
        return Decision(Verdict.FORBIDDEN, "/jump leads back to a page of this server only")
    return Decision(Verdict.ALLOW if parts else Verdict.HOME)


def _write(ask: Ask, parts: list[str], writer: bool, write_endpoints: frozenset[str]) -> Decision:
    if not (ask.method == "POST" and _write_endpoint(parts, write_endpoints)):
        return _no_edit()
    if writer:
        return Decision(Verdict.ALLOW, write=True)
    return Decision(Verdict.FORBIDDEN, "your role records no entries in these books")


def decide_open(ask: Ask, ledgers: Mapping[str, str], write_endpoints: frozenset[str],
                writable: bool) -> Decision:
    """The decision without sign-in (``serve`` on loopback, no users file): every
    served ledger is readable; only the checked write endpoints may write, and only
    when the server was started with ``--read-write``."""
    if ask.path in OPEN_PATHS:
        return Decision(Verdict.FORBIDDEN, "this server has no sign-in")
    parts = ask.parts()
    if parts and parts[0] != "static" and ask.path != "/jump" and parts[0] not in ledgers:
        return Decision(Verdict.ALLOW)  # Fava answers 404
    if ask.method in READ_METHODS:
        return Decision(Verdict.ALLOW)
    if writable and ask.method == "POST" and _write_endpoint(parts, write_endpoints):
        return Decision(Verdict.ALLOW, write=True)
    return _no_edit()


def _write_endpoint(parts: list[str], write_endpoints: frozenset[str]) -> bool:
    return (len(parts) == 4 and parts[1] == "extension" and parts[2] == EXTENSION
            and parts[3] in write_endpoints)


def _no_edit() -> Decision:
    return Decision(Verdict.FORBIDDEN, "Fava's own editing is switched off: record entries "
                                       "with the Grant pool page's forms or the grantpool "
                                       "commands")


def is_page(path: str) -> bool:
    """Whether *path* is a page a browser shows (sent to sign in), not Fava's JSON API, an
    extension endpoint or a download (answered 401)."""
    parts = Ask("GET", path).parts()
    return not ((len(parts) > 1 and parts[1] in {"api", "extension_js_module"})
                or (len(parts) > 3 and parts[1] == "extension")
                or any(part.startswith("download") for part in parts[1:2]))


def first_readable(user: User, ledgers: Mapping[str, str]) -> str | None:
    """The slug of the first served ledger *user* reads (the home page), if any."""
    return next((slug for slug, entity in ledgers.items() if user.reads(entity)), None)


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether the request's ``Host`` (with or without its port) is one the server
    answers to: a page from another site reached through DNS rebinding carries that
    site's name and is refused."""
    host = host.strip().lower()
    if host in allowed:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in allowed
