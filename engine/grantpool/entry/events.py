"""An ``event`` with metadata: the generator's ``Event`` has none, and what an auditor
records (which entry a deviation is about) belongs on the event itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from grantpool.generate.writer import quote


@dataclass(frozen=True)
class MetaEvent:
    date: datetime.date
    type: str
    description: str
    meta: tuple[tuple[str, str], ...] = ()

    def text(self) -> str:
        head = f"{self.date} event {quote(self.type)} {quote(self.description)}"
        return head + "".join(f"\n  {key}: {quote(value)}" for key, value in self.meta)
