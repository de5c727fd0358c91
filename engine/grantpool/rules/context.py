"""What every rule check is given: the pool, the as-of day, and window arithmetic."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from grantpool.books.periods import window
from grantpool.rules.index import CitizenBook
from grantpool.rules.pooldef import Period, PoolDef


@dataclass(frozen=True)
class Context:
    pool: PoolDef
    as_of: datetime.date
    files: tuple[str, ...] = ()  # the books' files (and the rules file), for a text scan

    def budget_window(
        self, citizen: CitizenBook, months: int | None = None, clip: bool | None = None
    ) -> Period | None:
        """The citizen's window from the decision (the first ``#budget``), inclusive."""
        if citizen.decision is None:
            return None
        clipped = self.pool.clip_window if clip is None else clip
        span = months if months is not None else self.pool.window_months
        return window(citizen.decision, span, self.pool.project_period if clipped else None)


def money(amount: object, currency: str) -> str:
    return f"{amount} {currency}"
