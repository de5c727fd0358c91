"""The sign-in and sign-out pages (``/signin``, ``/signout``), in Danish and English.

A sign-in checks the password against the users file's hash (an unknown user name
costs the same time as a wrong password), counts failures per address and per name
(``SignInLimit``), and on success starts a new session: a new CSRF token, the user,
the time it was last used.  ``next`` only ever leads to a path on this server.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Flask, Response, current_app, g, redirect, request, session
from jinja2 import Environment

from grantpool.privacy.cpr import redact
from grantpool.web.context import CSRF_FIELD, SESSION_FIELD
from grantpool.web.passwords import verify_or_dummy

if TYPE_CHECKING:
    from grantpool.web.app import Settings

log = logging.getLogger("grantpool.web")
PATHS = frozenset({"/signin", "/signout"})
#: The sign-in form's CSRF token (double submit: this cookie and the form's field).
SIGNIN_COOKIE = "grantpool_signin"

PAGE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Grant pool: log ind / sign in</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}
.message{color:#a00;margin:1rem 0}</style></head><body>
<h1>Grant pool</h1>
{% if signed_in %}
<p>Logget ind som / signed in as <strong>{{ signed_in }}</strong>.</p>
<form method="post" action="{{ root }}/signout">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<button type="submit" id="signout">Log ud / Sign out</button></form>
{% else %}
{% if message %}<p class="message" role="alert">{{ message }}</p>{% endif %}
{% if back %}<p>Allerede logget ind i et andet vindue? / Signed in already in another
window? <a href="{{ back }}" id="continue">Fortsæt / Continue</a></p>{% endif %}
<form method="post" action="{{ root }}/signin">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="next" value="{{ next }}">
<label for="user">Bruger / User</label>
<input id="user" name="user" autocomplete="username" required maxlength="64" autofocus>
<label for="password">Adgangskode / Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"
 required maxlength="1024">
<button type="submit" id="signin">Log ind / Sign in</button></form>
{% endif %}
</body></html>"""


# Its own autoescaping environment: Fava's template context needs a ledger.
TEMPLATE = Environment(autoescape=True).from_string(PAGE)


def register(app: Flask, settings: Settings) -> None:
    app.add_url_rule("/signin", "grantpool_signin", _signin, methods=["GET", "POST"])
    app.add_url_rule("/signout", "grantpool_signout", _signout, methods=["GET", "POST"])


def signin_url(full_path: str) -> str:
    """The sign-in page, asked to lead back to *full_path* afterwards."""
    return f"{request.script_root}/signin?next={quote(full_path.rstrip('?'), safe='/')}"


def _safe_next(asked: str) -> str:
    """*asked* if it is a plain path on this server, else the home page: no scheme, no
    host, no backslash, no second slash at its start, nothing a browser or Werkzeug would
    drop and so read as a host (control characters, spaces)."""
    plain = (asked.startswith("/") and len(asked) < 2000
             and all(c.isprintable() and not c.isspace() and c != "\\" for c in asked)
             and not asked.startswith("//"))
    return f"{request.script_root}{asked if plain else '/'}"


def _page(message: str = "", status: int = 200, user: str | None = None) -> Response:
    """The page; signed out, its form's token is the sign-in cookie's (a cookie of its
    own, so a visit that arrives without the session cookie never replaces it)."""
    asked = request.values.get("next", "")
    token = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(32)
    html = TEMPLATE.render(message=message, next=asked[:2000] or "/",
                           csrf=session.get(CSRF_FIELD, "") if user else token,
                           back=_safe_next(asked) if asked and not user else None,
                           root=request.script_root, signed_in=user)
    response = Response(html, status, mimetype="text/html")
    if not user:
        response.set_cookie(SIGNIN_COOKIE, token, httponly=True, samesite="Strict",
                            secure=_settings().secure_cookies, path="/")
    return response


def _signed_in_name() -> str | None:
    user = getattr(g, "grantpool_user", None)
    return user.name if user is not None else None


def _settings() -> Settings:
    return current_app.config["GRANTPOOL_SETTINGS"]  # type: ignore[no-any-return]


def _signin() -> Response:
    settings = _settings()
    if request.method == "GET":
        return _page(user=_signed_in_name())
    assert settings.users is not None  # policy refuses /signin without a users file
    name = request.form.get("user", "").strip()[:64]
    shown = redact(name)
    address = str(getattr(g, "grantpool_client", None) or request.remote_addr or "-")
    keys = (f"address:{address}", f"user:{name.casefold()}")
    wait = settings.limit.wait(*keys)
    if wait > 0:
        log.warning("signin blocked user=%s from=%s", shown, address)
        minutes = int(wait // 60) + 1
        return _page(f"For mange forkerte forsøg; prøv igen om {minutes} min. / Too many "
                     f"failed sign-ins; try again in {minutes} min.", 429)
    user = settings.users.current().get(name)
    if not verify_or_dummy(user.password_hash if user else None,
                           request.form.get("password", "")):
        settings.limit.failed(*keys)
        log.warning("signin refused user=%s from=%s", shown, address)
        return _page("Forkert bruger eller adgangskode. / Wrong user name or password.", 401)
    settings.limit.succeeded(keys[1])
    assert user is not None
    settings.sessions.end(session.get(SESSION_FIELD))
    session.clear()
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    session[SESSION_FIELD] = settings.sessions.start(name, user.password_hash)
    session.permanent = True
    log.info("signin user=%s from=%s", name, address)
    return redirect(_safe_next(request.form.get("next", "/")))  # type: ignore[return-value]


def _signout() -> Response:
    if request.method == "GET":
        return _page(user=_signed_in_name())
    user = getattr(g, "grantpool_user", None)
    _settings().sessions.end(session.get(SESSION_FIELD))
    session.clear()
    log.info("signout user=%s", user.name if user else "-")
    return redirect(f"{request.script_root}/signin")  # type: ignore[return-value]
