"""What every rule check is given: the pool, the as-of day, and window arithmetic."""

from __future__ import annotations

import datetime

from grantpool.books.periods import window
from grantpool.rules.filed import CitizenBook
from grantpool.rules.pooldef import Period, PoolDef


class Context:
    """The pool, the as-of day, and the books' files (and the rules file), for a text scan.
    A plain class: it is made for every check; windows worked out are remembered, by
    (decision, months, clipped), as many budgets share a decision day."""

    __slots__ = ("as_of", "files", "pool", "windows")

    def __init__(self, pool: PoolDef, as_of: datetime.date, files: tuple[str, ...] = ()) -> None:
        self.pool, self.as_of, self.files = pool, as_of, files
        self.windows: dict[tuple[datetime.date, int, bool], Period] = {}

    def budget_window(
        self, citizen: CitizenBook, months: int | None = None, clip: bool | None = None
    ) -> Period | None:
        """The citizen's window from the decision (the first ``#budget``), inclusive."""
        if not citizen.budgets:
            return None
        decision = citizen.budgets[0][0].date
        clipped = self.pool.clip_window if clip is None else clip
        span = months if months is not None else self.pool.window_months
        key = (decision, span, clipped)
        found = self.windows.get(key)
        if found is None:
            found = self.windows[key] = window(
                decision, span, self.pool.project_period if clipped else None)
        return found


def money(amount: object, currency: str) -> str:
    return f"{amount} {currency}"
