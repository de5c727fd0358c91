"""What the Fava extension asks of the request it answers: who signed in, and the
session's CSRF token its forms send back (``X-CSRF-Token``).

Both are set by ``grantpool.web.app`` before any view runs; served without it (Fava
alone, or tests through Fava's own app) there is no user and no token.
"""

from __future__ import annotations

import secrets

from flask import g, has_request_context, session

from grantpool.web.people import User

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
#: The session cookie's key for the server-side session id (``grantpool.web.sessions``).
SESSION_FIELD = "sid"


def signed_in() -> User | None:
    """The signed-in user of this request, if the server has sign-in."""
    if not has_request_context():
        return None
    user = getattr(g, "grantpool_user", None)
    return user if isinstance(user, User) else None


def csrf_token() -> str:
    """This session's CSRF token ('' when the server keeps no sessions)."""
    if not has_request_context() or not getattr(g, "grantpool_sessions", False):
        return ""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):  # made on first use: a page that shows a form
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token
