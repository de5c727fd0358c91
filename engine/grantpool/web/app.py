"""Sign-in and scoped access wired into Fava's Flask app.

``guard`` puts one gate in front of every request Fava answers (it runs before
Fava's own url preprocessor, so before any ledger is touched): the ``Host`` must be
one the server answers to; the signed-in user comes from the session (or, from a
trusted proxy, its user header); ``policy.decide`` says allow, sign in, home or
refuse; a write must carry the session's CSRF token.  Fava's list of ledgers is
narrowed to those the user reads, so its switcher and our drill-downs never name
another entity's books.  Sign-in, refusals and writes are logged with the user.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, redirect, request, session

from grantpool.privacy.cpr import redact
from grantpool.web import signin
from grantpool.web.chrome import hide_refused_controls
from grantpool.web.context import CSRF_FIELD, CSRF_HEADER, SESSION_FIELD
from grantpool.web.limits import SignInLimit
from grantpool.web.people import User
from grantpool.web.policy import (
    Ask,
    Decision,
    Verdict,
    decide,
    decide_open,
    first_readable,
    host_allowed,
    is_page,
)
from grantpool.web.sessions import SessionTable
from grantpool.web.users_live import LiveUsers

log = logging.getLogger("grantpool.web")
REFUSED_HEADER = "X-Grantpool-Refused"


@dataclass
class Settings:
    """How the server guards Fava.  *users* None: no sign-in (loopback only), every
    ledger readable, the checked write endpoints open when *writable*."""

    ledgers: dict[str, str]                  # slug -> entity name
    write_endpoints: frozenset[str]
    allowed_hosts: frozenset[str]
    users: LiveUsers | None = None
    writable: bool = False
    idle: timedelta = timedelta(minutes=30)
    secure_cookies: bool = False
    trusted_proxies: frozenset[str] = frozenset()
    user_header: str | None = None
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    limit: SignInLimit = field(default_factory=SignInLimit)
    sessions: SessionTable = field(default_factory=lambda: SessionTable(30 * 60.0))


class ScopedLedgers:
    """Fava's ``LEDGERS`` as this request's user may see them: ``items()`` (Fava's
    switcher, our drill-downs) lists only the ledgers the user reads."""

    def __init__(self, inner: Any, ledgers: Mapping[str, str]) -> None:
        self._inner = inner
        self._ledgers = ledgers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __getitem__(self, slug: str) -> Any:
        return self._inner[slug]

    def items(self) -> Iterator[tuple[str, Any]]:
        user = getattr(g, "grantpool_user", None)
        for slug, ledger in self._inner.items():
            entity = self._ledgers.get(slug)
            if user is None or (entity is not None and user.reads(entity)):
                yield slug, ledger


def guard(app: Flask, settings: Settings) -> Flask:
    """*app* (from ``fava.application.create_app``) behind the gate."""
    app.secret_key = settings.secret_key
    app.config.update(SESSION_COOKIE_NAME="grantpool_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=settings.secure_cookies,
                      PERMANENT_SESSION_LIFETIME=settings.idle)
    app.config["LEDGERS"] = ScopedLedgers(app.config["LEDGERS"], settings.ledgers)
    app.config["GRANTPOOL_SETTINGS"] = settings
    signin.register(app, settings)

    def gate(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
        _gate(app.config["GRANTPOOL_SETTINGS"])  # looked up each time: tests swap it

    app.url_value_preprocessors.setdefault(None, []).insert(0, gate)
    app.after_request(_after)
    return app


def _gate(settings: Settings) -> None:
    g.grantpool_client = client_address(settings)
    if not host_allowed(request.host, settings.allowed_hosts):
        log.warning("refused host=%s from=%s %s", redact(request.host)[:80],
                    g.grantpool_client, request.method)
        _refuse(400, "This server does not answer to that host name.")
    g.grantpool_sessions = True  # the token is made when a page first asks for it
    referrer = urlsplit(request.referrer or "")
    ask = Ask(request.method, request.path, request.args.get("query_string", ""),
              referrer.netloc.lower() or None, request.host.lower())
    if settings.users is None:
        decision = decide_open(ask, settings.ledgers, settings.write_endpoints,
                               settings.writable)
        user = None
    else:
        user = current_user(settings)
        g.grantpool_user = user
        decision = decide(ask, user, settings.ledgers, settings.write_endpoints)
    _enforce(decision, user, settings)


def client_address(settings: Settings) -> str:
    """The browser's address: from a trusted proxy, the last address its
    ``X-Forwarded-For`` adds (the one the proxy saw); else the connection's."""
    address = request.remote_addr or "-"
    if address in settings.trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return address


def current_user(settings: Settings) -> User | None:
    """The user of this request: a trusted proxy's header, else the session's, while
    the server holds the session (``SessionTable``: not signed out, not idle, the same
    password) and the user is still on file."""
    assert settings.users is not None
    users = settings.users.current()
    if settings.user_header and request.remote_addr in settings.trusted_proxies:
        named = request.headers.get(settings.user_header)
        if named:
            return users.get(named)
    sid = session.get(SESSION_FIELD)
    if sid is None:
        return None
    name, ended = settings.sessions.user(
        sid, lambda n: u.password_hash if (u := users.get(n)) else None)
    if name is None:
        if ended:
            log.info("session ended user=%s (idle, password changed or user removed)", ended)
        session.pop(SESSION_FIELD, None)
        return None
    return users.get(name)


def _enforce(decision: Decision, user: User | None, settings: Settings) -> None:
    who = user.name if user else "-"
    if decision.verdict is Verdict.SIGN_IN:
        if request.method in {"GET", "HEAD"} and is_page(request.path):
            abort(redirect(signin.signin_url(request.full_path)))
        if request.method not in {"GET", "HEAD"}:
            log.warning("refused user=- %s %s: not signed in", request.method,
                        redact(request.path)[:200])
        _refuse(401, "Sign in first.")
    if decision.verdict is Verdict.HOME:
        slug = first_readable(user, settings.ledgers) if user else next(iter(settings.ledgers))
        if slug is None:
            _refuse(403, "Refused: your role reads no books on this server.")
        abort(redirect(f"{request.script_root}/{slug}/extension/GrantPool/"))
    if decision.verdict is Verdict.FORBIDDEN:
        log.warning("refused user=%s %s %s: %s", who, request.method,
                    redact(request.path)[:200], decision.reason)
        _refuse(403, f"Refused: {decision.reason}.")
    if decision.write:
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
        expected = (request.cookies.get(signin.SIGNIN_COOKIE, "") if request.path == "/signin"
                    else session.get(CSRF_FIELD, ""))
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            log.warning("refused user=%s %s %s: CSRF token missing or wrong", who,
                        request.method, redact(request.path)[:200])
            _refuse(403, "Refused: the form's security token is missing or old; reload the "
                         "page and try again.")
        g.grantpool_write = True


def _refuse(status: int, text: str) -> None:
    """Answer *status* with *text* now; ``REFUSED_HEADER`` tells our refusals from
    Fava's own errors."""
    response = Response(text + "\n", status, mimetype="text/plain")
    response.headers[REFUSED_HEADER] = str(status)
    abort(response)


def _after(response: Response) -> Response:
    if getattr(g, "grantpool_write", False) and request.path not in signin.PATHS:
        user = getattr(g, "grantpool_user", None)
        log.info("write user=%s %s %s -> %s", user.name if user else "-", request.method,
                 redact(request.path)[:200], response.status_code)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return hide_refused_controls(response)
