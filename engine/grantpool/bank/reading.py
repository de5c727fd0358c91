"""Reading a statement file: its text, its rows, and why a statement is refused.

Any shape that is not a well-formed text CSV file is refused with the line it
was found on, never with the text it holds (a statement may name people):
bytes that are not text in the encoding, NUL bytes, lone-CR line endings,
unbalanced quotes, a field longer than ``csv``'s limit (128 KiB).  The
process-wide ``csv.field_size_limit`` is left as it is.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grantpool.privacy.cpr import redact

Row = tuple[int, list[str]]


class StatementError(ValueError):
    """The statement cannot be read or does not add up; ``line`` is the 1-based line that
    failed.  The message is one line, ``file:line: what is wrong; what to do``."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)  # line 0: the file as a whole
        super().__init__(f"{where}: {message}; the statement was not imported")
        self.path = path
        self.line = line


class PersonalData(StatementError):
    """A field holds a CPR-like number; the message names its line and column, not it."""


class DoesNotAddUp(StatementError):
    """A ``Saldo`` is not the running balance, or the statement does not open at the
    books' balance of its bank account."""


def decode(path: Path, raw: bytes, encoding: str) -> str:
    """*raw* as text; a byte that is not *encoding*, or a NUL, refuses it at its line."""
    try:
        text = raw.decode(encoding)
    except LookupError as exc:
        name = redact(repr(encoding[:40]))
        raise StatementError(path, 1, f"{name} is not a text encoding Python knows; name "
                                      f"one with --encoding (e.g. utf-8-sig, cp1252)") from exc
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise StatementError(path, line, f"not {encoding} text at byte {exc.start}; name the "
                                         f"file's encoding with --encoding") from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise StatementError(path, line, "holds a NUL byte: this is not a text CSV file (a "
                                         "UTF-16 export? name its encoding with --encoding)")
    cr = _lone_cr(text)
    if cr >= 0:
        line = text[:cr].count("\n") + 1
        raise StatementError(path, line, "a line ends in a lone CR (old Mac line endings); save "
                                         "the statement with LF or CRLF line endings")
    return text


def _lone_cr(text: str) -> int:
    """The index of the first ``\\r`` not followed by ``\\n``, or -1."""
    at = text.find("\r")
    while at >= 0:
        if not text.startswith("\n", at + 1):
            return at
        at = text.find("\r", at + 1)
    return -1


def rows(path: Path, text: str, separator: str = ";") -> list[Row]:
    """Every row of *text* with the line it starts on (blank lines included, as ``[]``)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    result: list[Row] = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return result
        except csv.Error as exc:
            raise StatementError(path, start, _plain(str(exc), separator)) from exc
        result.append((start, row))
        start = reader.line_num + 1


def _plain(message: str, separator: str) -> str:
    """``csv``'s complaint in words that say what to do (it never quotes the data)."""
    if "field limit" in message:
        return (f"a field is longer than {csv.field_size_limit()} characters: this is not a "
                f"bank statement line (was other text pasted into the file?)")
    if "end of data" in message:
        return "a quoted field that starts on this line is never closed: add the closing '\"'"
    if "expected after" in message:
        return (f"a '\"' inside a field is not doubled: a quoted field ends at "
                f"'{separator}' or line end")
    return f"not a well-formed '{separator}'-separated line ({message})"
