"""Months added on the calendar, and the last start that a delay in months has run out for."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dates import add_months, latest_start_reaching

D = datetime.date
DAYS = st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 9, 1), 3, D(2025, 12, 1)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
    ],
)
def test_months_are_added_on_the_calendar_clamped_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        # 28, 29, 30 and 31 November + 3 months all end on 28 February 2026: the last of them is 30 Nov.
        (D(2026, 2, 28), 3, D(2025, 11, 30)),
        (D(2026, 3, 1), 3, D(2025, 12, 1)),
        (D(2025, 12, 1), 3, D(2025, 9, 1)),
        (D(2026, 2, 28), 6, D(2025, 8, 31)),
    ],
)
def test_the_latest_start_reaching_a_day_is_the_last_of_the_starts_that_end_on_or_before_it(
    day, months, expected
):
    assert latest_start_reaching(day, months) == expected


@given(start=DAYS, day=DAYS, months=st.integers(min_value=1, max_value=24))
def test_a_delay_has_run_out_exactly_when_the_start_is_on_or_before_the_latest_start(start, day, months):
    assert (add_months(start, months) <= day) == (start <= latest_start_reaching(day, months))
