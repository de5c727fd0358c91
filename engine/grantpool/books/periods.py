"""Date arithmetic for budget windows. All periods are inclusive of both ends.

A window of *n* months from a decision on day *d* ends the day before day *d*
of the month *n* months later; where that month has no day *d* (e.g. 29
February in a common year, 31 April), the window ends on that month's last day.
So 2018-03-15 + 12 months ends 2019-03-14, and 2016-02-29 + 12 months ends
2017-02-28.
"""

from __future__ import annotations

import calendar
import datetime

from grantpool.rules.pooldef import Period

ONE_DAY = datetime.timedelta(days=1)


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day *months* later, clamped to the end of a shorter month."""
    year, month = _shift(day.year, day.month, months)
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def window(start: datetime.date, months: int, clip: Period | None = None) -> Period:
    """The inclusive window of *months* from *start*, clipped to *clip* if given."""
    year, month = _shift(start.year, start.month, months)
    last = calendar.monthrange(year, month)[1]
    if start.day <= last:
        end = datetime.date(year, month, start.day) - ONE_DAY
    else:
        end = datetime.date(year, month, last)
    if clip is not None:
        start, end = max(start, clip.start), min(end, clip.end)
    return Period(start, end)


def month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of every month after *first*'s month, up to and including *last*."""
    result = []
    day = add_months(first.replace(day=1), 1)
    while day <= last:
        result.append(day)
        day = add_months(day, 1)
    return result
