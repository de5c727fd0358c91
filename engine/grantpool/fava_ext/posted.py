"""What the citizen page's two forms share (``form``: a purchase; ``entryform``: the other
entries an officer makes): reading a posted JSON body's fields, its voucher, and the
JSON answer for what ``grantpool.entry.guard.record_entry`` did.

Each field is read on its own and a bad one answered in one line naming the field and
what to write, never repeating a CPR-looking value.  A recorder takes *after*: for the
books an entry is routed to, the step to run once it is written (a git commit authored
by the signed-in officer), or None.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from grantpool.books.loading import CannotLoad
from grantpool.books.opening import NoRules
from grantpool.books.writing import WriteRefused
from grantpool.entry.amounts import BadAmount, amount_in
from grantpool.entry.entries import EntryError
from grantpool.entry.gitlog import GitError
from grantpool.entry.guard import AfterWrite, Recorded, Refused
from grantpool.i18n import N_
from grantpool.privacy.cpr import redact
from grantpool.vouchers.store import MAX_BYTES, Voucher, VoucherError, voucher_from_bytes

Answer = tuple[int, dict[str, Any]]
# For the books an entry is written to (their main file): the step after the write.
AfterFor = Callable[[Path], AfterWrite | None]


class FieldError(EntryError):
    """A bad field: the message's catalogue msgid and the values it names (never what
    was typed), so the answer says it in the page's language (``EntryError``'s)."""


def no_after(main: Path) -> AfterWrite | None:
    """Write without a step after it (no git commit)."""
    return None


def read_only(app: Any) -> bool:
    """Whether Fava runs read-only: it then refuses every non-GET request itself."""
    hooks = app.before_request_funcs.get(None, [])
    return any(getattr(hook, "__name__", "") == "_read_only" for hook in hooks)


def text_field(body: dict[str, Any], name: str) -> str:
    """A field's text ('' when absent); a field that is not text is bad input."""
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(N_("%(field)s must be text, as the form sends it"), field=name)
    return value.strip()


def day_field(body: dict[str, Any]) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text_field(body, "date"))
    except ValueError as exc:
        raise FieldError(N_("date must be YYYY-MM-DD")) from exc


def amount_field(body: dict[str, Any], required: bool = True) -> Decimal | None:
    """The ``amount`` as typed on a page in the body's ``lang``; None if left out and
    not *required*."""
    text = text_field(body, "amount")
    if not text and not required:
        return None
    try:
        return amount_in(text, text_field(body, "lang"))
    except BadAmount as exc:
        raise FieldError(N_("amount must be like 1500.00 (a positive amount, at most "
                            "2 decimals)")) from exc


def voucher_field(body: dict[str, Any]) -> Voucher | None:
    """The voucher uploaded with the form (base64 in ``voucher_data``), if any."""
    encoded = body.get("voucher_data")
    if not encoded:
        return None
    if not isinstance(encoded, str) or len(encoded) > MAX_BYTES * 4 // 3 + 8:
        raise FieldError(N_("the voucher is too large or not a file"))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FieldError(N_("the voucher could not be read; choose the file again")
                         ) from exc
    try:
        return voucher_from_bytes(data, str(body.get("voucher_name") or ""))
    except VoucherError as exc:
        raise EntryError(str(exc)) from exc


def answered(record: Callable[[], tuple[Recorded, dict[str, Any]]],
             t: Callable[..., str]) -> Answer:
    """(HTTP status, JSON answer) for *record* (which returns what it recorded and the
    fields the answer adds): 200 written, 400 bad input or books that cannot be read,
    409 refused by the rules, 500 a write or commit that failed (nothing written).  *t*
    translates the answer's own words."""
    try:
        recorded, fields = record()
    except (EntryError, CannotLoad, NoRules) as exc:
        said = (t(exc.msgid, **_shown(exc.values))
                if isinstance(exc, EntryError) and exc.values else t(_line(exc)))
        return 400, {"ok": False, "message": said, "findings": []}
    except Refused as exc:
        return 409, {"ok": False, "message": t("refused: %(count)s error(s); nothing was "
                                               "written", count=len(exc.findings)),
                     "findings": [f.to_json() for f in exc.findings]}
    except (WriteRefused, GitError, VoucherError) as exc:
        return 500, {"ok": False, "message": _line(exc), "findings": []}
    return 200, {"ok": True, "message": t("recorded: %(summary)s",
                                          summary=recorded.draft.summary),
                 **fields,
                 "findings": [f.to_json() for f in recorded.verdict.warnings]}


def _shown(values: dict[str, str]) -> dict[str, str]:
    """A refusal's values as a page may show them: CPR-looking numbers removed, and of the
    federation's folder (``root``) its name only, not the server's path."""
    return {key: Path(value).name if key == "root" else redact(value)
            for key, value in values.items()}


def _line(exc: Exception) -> str:
    """An error's message as one line, CPR-looking numbers removed."""
    return " ".join(redact(str(exc)).split())
