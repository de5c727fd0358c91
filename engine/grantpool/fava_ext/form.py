"""The purchase form on a citizen's page: the same checked entry as
``grantpool purchase`` (``grantpool.entry``), answered as JSON.

The endpoint accepts only a JSON body sent with an ``X-Grantpool: purchase`` header,
which a cross-site form cannot send (and, served with sign-in, the session's CSRF
token, checked by ``grantpool.web.app`` before Fava sees the request).  A voucher
comes in the same body, base64-encoded, and is stored by the same write path as
``grantpool purchase --voucher``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from grantpool.entry import entries as build
from grantpool.entry import route
from grantpool.entry.amounts import BadAmount, amount_in
from grantpool.entry.entries import EntryError
from grantpool.entry.guard import Recorded, record_entry
from grantpool.entry.vouchered import overview_for, with_voucher
from grantpool.fava_ext.posted import AfterFor, Answer, answered, no_after, voucher_field
from grantpool.i18n import ENGLISH, N_


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


def record_purchase(main: Path, body: Any, t: Callable[..., str] = ENGLISH,
                    after: AfterFor = no_after) -> Answer:
    """(HTTP status, JSON answer) for a purchase posted from the form: the same checked
    entry as ``grantpool purchase``, built and judged under the books' lock.  *t*
    translates the answer's own words; a recorded purchase's answer names it
    (``recorded``: date, amount, category) so the page can show its statement line.
    *after*: the step to run once it is written, for the books it is written to."""
    def record() -> tuple[Recorded, dict[str, Any]]:
        pid, day, amount, category, approval = _form(body)
        voucher = voucher_field(body)
        target = route.for_citizen(main, pid)  # on a federation: the citizen's own books
        done = record_entry(target.main, lambda books: with_voucher(build.purchase(
            books, pid, day, amount, category, approval=approval), voucher, target.main, pid),
            datetime.date.today(), after=after(target.main),
            overview=overview_for(target, voucher))
        return done, {"recorded": f"{day.isoformat()},{amount:.2f},{category}"}

    return answered(record, t)
