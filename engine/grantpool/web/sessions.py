"""Sessions kept by the server, not only by the cookie: the cookie carries a random
session id, and the session is valid only while the server holds it.  So signing out
ends it (a copy of the old cookie is worth nothing), idle time is measured here, a
restart ends every session, and a changed password or a removed user ends theirs
(the session remembers which password hash it was opened with).  In memory, one
server process."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Open:
    user: str
    password: str  # a digest of the hash the user signed in with
    seen: float


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class SessionTable:
    def __init__(self, idle: float, clock: Callable[[], float] = time.monotonic,
                 most: int = 10_000) -> None:
        self.idle = idle
        self._clock = clock
        self._most = most
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()

    def start(self, user: str, password_hash: str) -> str:
        """A new session for *user*; its id goes into the cookie."""
        sid = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            if len(self._open) >= self._most:
                self._forget_idle(now)
            self._open[sid] = _Open(user, fingerprint(password_hash), now)
        return sid

    def user(self, sid: object, current_hash: Callable[[str], str | None],
             ) -> tuple[str | None, str | None]:
        """(the user of session *sid*, None) if it is open, used within the idle time and
        the user's password is still the one they signed in with: the session is then
        used now.  Otherwise (None, the user whose session this ends, if it was open)."""
        if not isinstance(sid, str):
            return None, None
        now = self._clock()
        with self._lock:
            found = self._open.get(sid)
            if found is None:
                return None, None
            hashed = current_hash(found.user)
            if now - found.seen > self.idle or hashed is None \
                    or fingerprint(hashed) != found.password:
                del self._open[sid]
                return None, found.user
            found.seen = now
            return found.user, None

    def end(self, sid: object) -> None:
        with self._lock:
            if isinstance(sid, str):
                self._open.pop(sid, None)

    def _forget_idle(self, now: float) -> None:
        for sid in [s for s, o in self._open.items() if now - o.seen > self.idle]:
            del self._open[sid]
