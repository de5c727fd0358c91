"""The users file as the running server sees it: read again when it changes, so a
``grantpool user remove`` takes effect at the user's next request.  A file that has
become unreadable or wrong locks everyone out (logged) rather than guessing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path

from grantpool.web.people import User
from grantpool.web.userfile import load_users

log = logging.getLogger("grantpool.web")


class LiveUsers:
    def __init__(self, path: Path, users: Mapping[str, User]) -> None:
        self.path = path
        self._users = dict(users)
        self._stamp = self._stat()
        self._lock = threading.Lock()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def current(self) -> Mapping[str, User]:
        stamp = self._stat()
        if stamp == self._stamp:
            return self._users
        with self._lock:
            if stamp != self._stamp:
                users, errors = load_users(self.path)
                if errors:  # read again at the next request, until it is fixed
                    log.error("users file unusable, nobody may sign in until it is "
                              "fixed: %s", errors[0])
                    self._users = {}
                else:
                    self._users, self._stamp = dict(users), stamp
        return self._users
