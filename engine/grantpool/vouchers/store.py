"""The voucher store: the books' ``documents`` folder, private to the books' owner.

A voucher is copied to ``documents/<account>/<date>-<who>-<sha256[:12]>.<ext>`` (the
account one folder a component) beside the books' main file: the layout Beancount's
``option "documents"`` reads, so Fava lists each voucher as a document of the account the
money went to, and opens it from the entry's ``document`` metadata (Fava's convention: a
path relative to the entry's file).
The file is created exclusively and atomically (a temporary file hard-linked to its name),
mode 0600; the folder gets a ``.gitignore`` that keeps every voucher out of git history.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

DOCUMENTS = "documents"
PATH_KEY = "document"  # Fava's convention: a metadata key starting with "document"
HASH_KEY = "voucher_sha256"
MAX_BYTES = 50 * 1024 * 1024
EXTENSION = re.compile(r"[a-z0-9]{1,8}")
GITIGNORE = ("# Vouchers are personal data (a receipt may carry a name): never in git history,\n"
             "# which cannot be erased.  Written by grantpool.\n*\n!.gitignore\n")


class VoucherError(ValueError):
    """The voucher cannot be taken as given; the message says what to do."""


@dataclass(frozen=True)
class Voucher:
    """A voucher read from the user's file: its bytes, their hash and its extension."""

    data: bytes
    sha256: str
    extension: str


@dataclass(frozen=True)
class Placed:
    """Where a voucher goes: its file, and what the entry records about it."""

    voucher: Voucher
    path: Path
    meta: tuple[tuple[str, str], ...]


def read_voucher(path: Path) -> Voucher:
    """The voucher at *path*: a regular file, not empty, at most ``MAX_BYTES``."""
    extension = path.suffix[1:].lower() or "bin"
    if not EXTENSION.fullmatch(extension):
        raise VoucherError(f"--voucher {path.name[:40]}: give the file an extension like .pdf")
    try:
        if path.is_symlink() or not path.is_file():
            raise VoucherError(f"--voucher {path}: not a regular file; give the receipt's file")
        if path.stat().st_size > MAX_BYTES:
            raise VoucherError(f"--voucher {path}: larger than {MAX_BYTES // 2**20} MiB; "
                               f"scan it at a lower resolution")
        data = path.read_bytes()
    except OSError as exc:
        raise VoucherError(f"--voucher {path}: cannot be read ({exc.strerror}); check the "
                           f"path and its permissions") from exc
    if not data:
        raise VoucherError(f"--voucher {path}: the file is empty; give the receipt's file")
    return Voucher(data, sha256(data), extension)


def voucher_from_bytes(data: bytes, name: str) -> Voucher:
    """A voucher sent as bytes (the Fava form's upload) under the file name *name*:
    the same limits as ``read_voucher``."""
    extension = Path(name).suffix[1:].lower() or "bin"
    if not EXTENSION.fullmatch(extension):
        raise VoucherError("the voucher's file name needs an extension like .pdf")
    if len(data) > MAX_BYTES:
        raise VoucherError(f"the voucher is larger than {MAX_BYTES // 2**20} MiB; scan it at "
                           f"a lower resolution")
    if not data:
        raise VoucherError("the voucher file is empty; give the receipt's file")
    return Voucher(data, sha256(data), extension)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of the file at *path*, or None when it is missing or unreadable."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def documents_root(main: Path) -> Path:
    return main.resolve().parent / DOCUMENTS


def place(voucher: Voucher, main: Path, entry_file: Path, account: str, day: object,
          who: str) -> Placed:
    """Where *voucher* of an entry on *account* goes, and the entry's metadata for it
    (the path relative to *entry_file*, the file the entry is written to)."""
    name = f"{day}-{who}-{voucher.sha256[:12]}.{voucher.extension}"
    path = documents_root(main).joinpath(*account.split(":"), name)
    relative = os.path.relpath(path, entry_file.resolve().parent)
    return Placed(voucher, path, ((PATH_KEY, Path(relative).as_posix()),
                                  (HASH_KEY, voucher.sha256)))


def store(placed: Placed, root: Path) -> list[Path]:
    """Write the voucher under *root* (the books' documents folder), exclusively and
    atomically, mode 0600.  Returns what was created, to be undone by ``undo``; an
    identical file already there is kept (and not returned).  Raises ``VoucherError``."""
    created: list[Path] = []
    try:
        parts = placed.path.parent.relative_to(root).parts
        for folder in [root.joinpath(*parts[:i]) for i in range(len(parts) + 1)]:
            if not folder.exists():
                folder.mkdir(mode=0o700)
                created.append(folder)
            if folder == root and not (root / ".gitignore").exists():
                _exclusive(root / ".gitignore", GITIGNORE.encode(), 0o644)
                created.append(root / ".gitignore")
        if placed.path.exists():
            if file_sha256(placed.path) != placed.voucher.sha256:
                raise VoucherError(f"{placed.path}: a different file is stored under this "
                                   f"voucher's name; move it away and try again")
            return created
        _exclusive(placed.path, placed.voucher.data, 0o600)
        created.append(placed.path)
    except OSError as exc:
        undo(created)
        raise VoucherError(f"{placed.path.parent}: the voucher cannot be stored "
                           f"({exc.strerror}); check the folder's permissions") from exc
    except VoucherError:
        undo(created)
        raise
    return created


def _exclusive(path: Path, data: bytes, mode: int) -> None:
    """Create *path* holding *data*: written to a temporary file, then linked to its
    name (which fails if the name exists), so no reader sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def undo(created: list[Path]) -> None:
    """Remove what ``store`` created, newest first."""
    for path in reversed(created):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
