"""Which format a statement file is in, and reading it into statements.

``--format`` names one: ``camt053``, ``mt940``, ``csv`` (the profile told from the
header) or a profile's name (``danske-bank``, ``nordea``, ``generic`` or a user's).
Without it the file name tells (``.xml``, ``.053``, ``.camt``: camt.053; ``.sta``,
``.940``, ``.mt940``: MT940), else the content: XML (``<`` first) is camt.053; ``:20:``
or a SWIFT envelope ``{1:`` first is MT940; anything else is a CSV export, read through the
one profile whose header is exactly the file's first line (as a set of
columns), else the ``generic`` profile (whose errors then say what is missing).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grantpool.bank import reading
from grantpool.bank.camt import read_camt
from grantpool.bank.csvformat import read_csv
from grantpool.bank.model import Statement
from grantpool.bank.profiles import GENERIC, Profile, detect, refuse_unknown
from grantpool.bank.reading import StatementError
from grantpool.bank.swift import read_mt940

CAMT, MT940, CSV = "camt053", "mt940", "csv"
FORMATS = (CAMT, MT940, CSV)
# the file names the daily run picks up from its inbox, and the formats they name
BY_SUFFIX = {".xml": CAMT, ".053": CAMT, ".camt": CAMT, ".sta": MT940, ".940": MT940,
             ".mt940": MT940}
SUFFIXES = (".csv", *BY_SUFFIX)
MT940_ENCODINGS = ("utf-8-sig", "cp1252")  # SWIFT text is ASCII; :86: may hold æøå either way
BOM = b"\xef\xbb\xbf"


def sniff(raw: bytes) -> str:
    """``camt053``, ``mt940`` or ``csv``, from the first bytes of a file."""
    head = raw[:4096].removeprefix(BOM).lstrip()
    if head.startswith(b"<"):
        return CAMT
    if head.startswith((b":20:", b"{1:")):
        return MT940
    return CSV


def is_statement(path: Path) -> bool:
    """Whether *path* looks like a statement by its name, or (``.txt``) by its content."""
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return True
    if suffix != ".txt":
        return False
    try:
        with path.open("rb") as handle:
            return sniff(handle.read(4096)) == MT940
    except OSError:
        return True  # let the import say why it cannot be read


def read_file(path: Path, fmt: str | None, encoding: str | None,
              profiles: Callable[[], dict[str, Profile]]) -> list[Statement]:
    """Every statement in *path*, each checked to add up; ``StatementError`` naming the
    line (and XML path or field) of the first fault.  *profiles* are read only for a CSV
    file (a broken profile keeps out no camt.053 or MT940 statement)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StatementError(path, 0, f"cannot read it ({exc.strerror})") from exc
    kind = fmt or BY_SUFFIX.get(path.suffix.lower()) or sniff(raw)
    if kind == CAMT:
        return read_camt(path, raw)
    if kind == MT940:
        return read_mt940(path, reading.decode(path, raw, encoding or _mt940_encoding(raw)))
    known = profiles()
    if kind == CSV:
        profile = detect(_first_line(raw), known) or known[GENERIC]
    elif kind in known:
        profile = known[kind]
    else:
        raise refuse_unknown(path, kind, known)
    return [read_csv(path, profile, encoding)]


def _mt940_encoding(raw: bytes) -> str:
    try:
        raw.decode(MT940_ENCODINGS[0])
    except UnicodeDecodeError:
        return MT940_ENCODINGS[1]
    return MT940_ENCODINGS[0]


def _first_line(raw: bytes) -> bytes:
    return next((line for line in raw.split(b"\n") if line.strip()), b"")
