"""A bank line, as every format is read into it."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

DIGEST = "sha256:"  # a key made from the line's content: the statement gave no reference


@dataclass(frozen=True)
class BankLine:
    line: int
    date: datetime.date
    text: str  # the bank's free text: only ever part of the digest below, never in the books
    amount: Decimal
    balance: Decimal  # the balance after the line
    reference: str

    @property
    def key(self) -> str:
        """A stable id of the line: the bank's reference, else a digest of the line."""
        if self.reference:
            return self.reference
        digest = hashlib.sha256(f"{self.date}|{self.text}|{self.amount}|{self.balance}"
                                .encode()).hexdigest()
        return f"{DIGEST}{digest[:16]}"
