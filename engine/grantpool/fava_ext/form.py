"""The purchase form on a citizen's page: the same checked entry as
``grantpool purchase`` (``grantpool.entry``), answered as JSON.

Fava has no CSRF protection, so the endpoint accepts only a JSON body sent with
an ``X-Grantpool: purchase`` header, which a cross-site form cannot send.  A voucher
comes in the same body, base64-encoded, and is stored by the same write path as
``grantpool purchase --voucher``.
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
from grantpool.entry import entries as build
from grantpool.entry import route
from grantpool.entry.amounts import BadAmount, amount_in
from grantpool.entry.entries import EntryError
from grantpool.entry.guard import Refused, record_entry
from grantpool.entry.vouchered import overview_for, with_voucher
from grantpool.i18n import ENGLISH, N_
from grantpool.privacy.cpr import redact
from grantpool.vouchers.store import MAX_BYTES, Voucher, VoucherError, voucher_from_bytes


def read_only(app: Any) -> bool:
    """Whether Fava runs read-only: it then refuses every non-GET request itself."""
    hooks = app.before_request_funcs.get(None, [])
    return any(getattr(hook, "__name__", "") == "_read_only" for hook in hooks)


def _form(body: Any) -> tuple[str, datetime.date, Decimal, str, str | None]:
    if not isinstance(body, dict):
        raise EntryError(N_("send the purchase as a JSON object"))
    try:
        day = datetime.date.fromisoformat(str(body.get("date", "")))
    except ValueError as exc:
        raise EntryError(N_("date must be YYYY-MM-DD and amount like 1500.00")) from exc
    try:
        amount = amount_in(str(body.get("amount", "")), str(body.get("lang") or ""))
    except BadAmount as exc:
        raise EntryError(N_("date must be YYYY-MM-DD and amount like 1500.00")) from exc
    approval = str(body.get("approval") or "").strip() or None
    return str(body.get("citizen", "")), day, amount, str(body.get("category", "")), approval


def _voucher(body: dict[str, Any]) -> Voucher | None:
    """The voucher uploaded with the form (base64 in ``voucher_data``), if any."""
    encoded = body.get("voucher_data")
    if not encoded:
        return None
    if not isinstance(encoded, str) or len(encoded) > MAX_BYTES * 4 // 3 + 8:
        raise EntryError(N_("the voucher is too large or not a file"))
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EntryError(N_("the voucher could not be read; choose the file again")) from exc
    try:
        return voucher_from_bytes(data, str(body.get("voucher_name") or ""))
    except VoucherError as exc:
        raise EntryError(str(exc)) from exc


def record_purchase(main: Path, body: Any,
                    t: Callable[..., str] = ENGLISH) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON answer) for a purchase posted from the form: the same checked
    entry as ``grantpool purchase``, built and judged under the books' lock.  *t*
    translates the answer's own words; a recorded purchase's answer names it
    (``recorded``: date, amount, category) so the page can show its statement line."""
    try:
        pid, day, amount, category, approval = _form(body)
        voucher = _voucher(body)
        target = route.for_citizen(main, pid)  # on a federation: the citizen's own books
        done = record_entry(target.main, lambda books: with_voucher(build.purchase(
            books, pid, day, amount, category, approval=approval), voucher, target.main, pid),
            datetime.date.today(), overview=overview_for(target, voucher))
    except (EntryError, CannotLoad, NoRules) as exc:
        return 400, {"ok": False, "message": t(redact(str(exc))), "findings": []}
    except Refused as exc:
        return 409, {"ok": False, "message": t("refused: %(count)s error(s); nothing was "
                                               "written", count=len(exc.findings)),
                     "findings": [f.to_json() for f in exc.findings]}
    except WriteRefused as exc:
        return 500, {"ok": False, "message": str(exc), "findings": []}
    return 200, {"ok": True, "message": t("recorded: %(summary)s", summary=done.draft.summary),
                 "recorded": f"{day.isoformat()},{amount:.2f},{category}",
                 "findings": [f.to_json() for f in done.verdict.warnings]}
