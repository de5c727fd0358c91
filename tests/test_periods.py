"""Budget windows: inclusive ends, short months, leap days, clipping."""

from __future__ import annotations

from datetime import date

import pytest

from grantpool.books.periods import add_months, month_starts, window
from grantpool.rules.pooldef import Period


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2018, 3, 15), 12, date(2019, 3, 14)),
        (date(2018, 1, 1), 12, date(2018, 12, 31)),
        (date(2016, 2, 29), 12, date(2017, 2, 28)),  # leap day: no 29 Feb in 2017
        (date(2019, 2, 28), 12, date(2020, 2, 27)),
        (date(2017, 3, 31), 1, date(2017, 4, 30)),  # no 31 April: the month's last day
        (date(2022, 12, 1), 15, date(2024, 2, 29)),  # the 2022 law's 15 months
    ],
)
def test_window__ends_the_day_before_the_same_day_n_months_later(
    start: date, months: int, end: date
) -> None:
    assert window(start, months) == Period(start, end)


def test_window__both_ends_belong_to_it() -> None:
    w = window(date(2018, 3, 15), 12)
    assert w.start in w and w.end in w
    assert date(2018, 3, 14) not in w and date(2019, 3, 15) not in w


def test_window__clipped_by_the_project_period() -> None:
    project = Period(date(2017, 12, 1), date(2019, 12, 31))
    assert window(date(2019, 6, 1), 12, project) == Period(date(2019, 6, 1), date(2019, 12, 31))
    assert window(date(2019, 1, 1), 12, project) == Period(date(2019, 1, 1), date(2019, 12, 31))


def test_add_months__clamps_to_the_end_of_a_short_month() -> None:
    assert add_months(date(2018, 1, 31), 1) == date(2018, 2, 28)
    assert add_months(date(2019, 12, 31), 3) == date(2020, 3, 31)


def test_month_starts__are_the_firsts_after_the_first_month() -> None:
    assert month_starts(date(2017, 11, 15), date(2018, 2, 1)) == [
        date(2017, 12, 1), date(2018, 1, 1), date(2018, 2, 1)]
