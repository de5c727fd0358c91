"""Bank CSV profiles: a bank's export described in YAML, so a new bank needs no code.

A profile names the header as the bank writes it, the separator, the encoding,
the date and number format, and which column is the date, the amount, the
balance after the line, the text and (optionally) the bank's reference::

    name: danske-bank
    header: [Dato, Tekst, Beløb, Saldo, Status, Afstemt]
    separator: ";"
    encoding: cp1252
    date_format: dd.mm.yyyy
    decimal: ","
    thousands: "."
    columns: {date: Dato, text: Tekst, amount: Beløb, balance: Saldo}
    skip: {Status: [Venter]}        # rows that are not booked yet (optional)

The shipped profiles live in ``grantpool/bank/profiles/``; a user adds one with
``--profile FILE`` or by putting it in ``bank-profiles/`` beside the books' main
file.  A profile is read without running code (plain YAML scalars, no anchors or
aliases, at most 64 KiB) and any fault refuses the statement with the profile's
``file:line``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from grantpool.bank.reading import StatementError
from grantpool.bank.yamlnodes import Fields, ProfileError, read_fields

SHIPPED = Path(__file__).resolve().parent / "profiles"
USER_FOLDER = "bank-profiles"
GENERIC = "generic"
ROLES = ("date", "text", "amount", "balance")
OPTIONAL_ROLES = ("reference",)
DATE_TOKENS = {"dd": "%d", "mm": "%m", "yyyy": "%Y"}
DATE_SHAPE = re.compile(r"^(dd|mm|yyyy)([-./ ])(dd|mm|yyyy)\2(dd|mm|yyyy)$")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

__all__ = ["GENERIC", "Profile", "ProfileError", "all_profiles", "load_profile"]


@dataclass(frozen=True)
class Profile:
    name: str
    source: Path
    header: tuple[str, ...]
    separator: str
    encoding: str
    date_format: str  # as written: dd-mm-yyyy
    decimal: str
    thousands: str
    columns: dict[str, str]  # role -> column name
    skip: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def strptime(self) -> str:
        shape = DATE_SHAPE.match(self.date_format)
        assert shape is not None  # checked when loaded
        sep = shape[2]
        return sep.join(DATE_TOKENS[shape[i]] for i in (1, 3, 4))

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(self.columns[r] for r in ROLES)

    @property
    def number(self) -> re.Pattern[str]:
        groups = rf"\d{{1,3}}({re.escape(self.thousands)}\d{{3}})+|" if self.thousands else ""
        return re.compile(rf"^-?({groups}\d+)({re.escape(self.decimal)}\d{{1,2}})?$")

    @property
    def amount_example(self) -> str:
        return f"-1{self.thousands}500{self.decimal}00"


def load_profile(path: Path) -> Profile:
    """The profile in *path*; ``ProfileError`` (a ``StatementError``) at its line."""
    fields = read_fields(path)
    return _profile(path, fields)


def _profile(path: Path, f: Fields) -> Profile:
    name = f.text("name")
    if not NAME.match(name):
        raise ProfileError(path, f.line("name"), "name: lower-case letters, digits and '-', "
                                                 "at most 40 characters")
    header = f.texts("header")
    columns = f.mapping("columns", ROLES, OPTIONAL_ROLES)
    for role, column in columns.items():
        if column not in header:
            raise ProfileError(path, f.line("columns"), f"columns: {role} names a column the "
                                                        f"header does not have; name one of "
                                                        f"the header's columns")
    separator = f.text("separator")
    if len(separator) != 1 or separator in "\"\r\n":
        raise ProfileError(path, f.line("separator"), "separator: one character, e.g. ';'")
    encoding = f.text("encoding")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ProfileError(path, f.line("encoding"), "encoding: not a text encoding Python "
                                                     "knows (e.g. utf-8-sig, cp1252)") from None
    date_format = f.text("date_format")
    shape = DATE_SHAPE.match(date_format)
    if shape is None or sorted([shape[1], shape[3], shape[4]]) != ["dd", "mm", "yyyy"]:
        raise ProfileError(path, f.line("date_format"), "date_format: dd, mm and yyyy once "
                                                        "each, one separator: dd.mm.yyyy")
    decimal, thousands = f.text("decimal"), f.text("thousands", "")
    if decimal not in (",", ".") or thousands not in ("", ".", ",", " ", "'") \
            or thousands == decimal:
        raise ProfileError(path, f.line("decimal"), "decimal: ',' or '.'; thousands: '', "
                                                    "'.', ',', ' ' or \"'\", not the decimal")
    skip = f.lists("skip")
    for column in skip:
        if column not in header:
            raise ProfileError(path, f.line("skip"), "skip: names a column the header does "
                                                     "not have")
    return Profile(name, path, tuple(header), separator, encoding, date_format, decimal,
                   thousands, columns, skip)


def shipped() -> list[Path]:
    return sorted(SHIPPED.glob("*.yaml"))


def all_profiles(ledger: Path | None, extra: tuple[Path, ...] = ()) -> dict[str, Profile]:
    """The shipped profiles, then the books' ``bank-profiles/*.yaml``, then *extra*; a
    later one of the same name replaces an earlier one."""
    folder = [] if ledger is None else sorted((ledger.parent / USER_FOLDER).glob("*.yaml"))
    found: dict[str, Profile] = {}
    for path in [*shipped(), *folder, *extra]:
        profile = load_profile(path)
        found[profile.name] = profile
    return found


def header_cells(line: str, separator: str) -> list[str]:
    return [c.strip().strip('"').lstrip("\ufeff").strip() for c in line.split(separator)]


def detect(first_line: bytes, profiles: dict[str, Profile]) -> Profile | None:
    """The profile whose header is exactly the file's first line (as a set of columns),
    if exactly one is; None when none or several are."""
    fits = []
    for profile in profiles.values():
        try:
            text = first_line.decode(profile.encoding)
        except UnicodeDecodeError:
            continue
        if set(header_cells(text.rstrip("\r\n"), profile.separator)) == set(profile.header):
            fits.append(profile)
    return fits[0] if len(fits) == 1 else None


def refuse_unknown(path: Path, name: str, profiles: dict[str, Profile]) -> StatementError:
    known = ", ".join(sorted(profiles))
    return StatementError(path, 1, f"no bank profile named {name[:40]!r}; --format names "
                                   f"camt053, mt940, csv or a profile ({known}), or give "
                                   f"--profile FILE")
