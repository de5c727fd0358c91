"""CPR-looking text: found in what people type, and never repeated back.

A CPR number is ten digits ``DDMMYY-SSSS`` whose first six are a real date in
some century.  ``looks_like_cpr`` says whether a text holds one; ``redact``
replaces each with a fixed marker, so an error message, a log line, a status
file or a mail can name the field without repeating the number.
"""

from __future__ import annotations

import datetime
import re

CPR = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)")
REDACTED = "[CPR-like number removed]"


def _real_date(day: int, month: int, year: int) -> bool:
    for century in (1900, 2000):
        try:
            datetime.date(century + year, month, day)
            return True
        except ValueError:
            continue
    return False


def looks_like_cpr(text: str) -> bool:
    """Whether *text* holds a CPR-looking number."""
    return any(_real_date(int(d), int(m), int(y)) for d, m, y, _ in CPR.findall(text))


def redact(text: str) -> str:
    """*text* with every CPR-looking number replaced by ``REDACTED``."""
    def swap(match: re.Match[str]) -> str:
        d, m, y = (int(g) for g in match.groups()[:3])
        return REDACTED if _real_date(d, m, y) else match.group(0)
    return CPR.sub(swap, text)
