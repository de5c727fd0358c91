"""Passwords of the users file: argon2id hashes (argon2-cffi's ``PasswordHasher``).

A hash is made with the library's default cost (RFC 9106's low-memory choice: 64 MiB,
three passes); ``needs_rehash`` says when a stored hash was made at another cost.
``verify`` never raises for a wrong password or a damaged hash: it answers False.

A sign-in with an unknown user name checks the password against ``DUMMY_HASH``
(``verify_or_dummy``), so that it costs as long as a wrong password for a real user,
and the time taken does not tell which user names exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
PREFIX = "$argon2id$"

_HASHER = PasswordHasher()

#: The hash of a password nobody has, made at the hasher's cost (a test holds it there).
DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$+zmNqwVVLIy3Ghsqy3/Pww$"
              "CrckfogTZOTgcJR+aZ7GxIcd2+aN5whpeZINDwPP6Ao")


def password_problem(plain: str) -> str | None:
    """Why *plain* cannot be a new password, or None.  The password is never repeated."""
    if len(plain) < MIN_LENGTH:
        return (f"a password must be at least {MIN_LENGTH} characters long; choose a longer "
                f"one (a few words make a good one)")
    if len(plain) > MAX_LENGTH:
        return f"a password must be at most {MAX_LENGTH} characters long"
    return None


def hash_password(plain: str) -> str:
    """The argon2id hash of *plain* (``$argon2id$v=19$m=...``), with a new random salt."""
    return _HASHER.hash(plain)


def is_hash(text: str) -> bool:
    """Whether *text* is a whole argon2id hash string, one ``verify`` can check."""
    if not text.startswith(PREFIX):
        return False
    try:
        return extract_parameters(text).type is Type.ID
    except InvalidHashError:
        return False


def verify(password_hash: str, plain: str) -> bool:
    """Whether *plain* is the password of *password_hash*; False for a wrong password and
    for a hash that is no argon2 hash (never an exception for those)."""
    try:
        return _HASHER.verify(password_hash, plain)
    except (VerificationError, InvalidHashError):
        return False


def verify_or_dummy(password_hash: str | None, plain: str) -> bool:
    """``verify`` for a known user; for an unknown one (*password_hash* None) the same
    work against ``DUMMY_HASH``, and False."""
    if password_hash is None:
        verify(DUMMY_HASH, plain)
        return False
    return verify(password_hash, plain)


def needs_rehash(password_hash: str) -> bool:
    """Whether *password_hash* was made at another cost than new hashes are (or is no
    argon2 hash at all): the next successful sign-in may store a new one."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
