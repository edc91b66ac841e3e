"""Reporting periods and deadlines (monthly/periods.py) at their edges."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from xieguan.monthly.periods import period_containing, period_for, period_of, reporting_period
from xieguan.monthly.selectors import deadline_for, month_due_now
from xieguan.monthly.tests.factories import county_rules

D = datetime.date


@pytest.mark.parametrize(
    ("year", "month", "start_day", "first", "last"),
    [
        (2026, 11, 1, D(2026, 11, 1), D(2026, 11, 30)),
        (2026, 2, 1, D(2026, 2, 1), D(2026, 2, 28)),
        (2028, 2, 1, D(2028, 2, 1), D(2028, 2, 29)),
        (2026, 11, 26, D(2026, 10, 26), D(2026, 11, 25)),
        # December → January: the year's first period starts in December.
        (2027, 1, 26, D(2026, 12, 26), D(2027, 1, 25)),
        (2026, 3, 28, D(2026, 2, 28), D(2026, 3, 27)),
        (2026, 3, 2, D(2026, 2, 2), D(2026, 3, 1)),
    ],
)
def test_period_bounds(year, month, start_day, first, last):
    period = period_for(year, month, start_day=start_day)
    assert (period.first_day, period.last_day) == (first, last)
    tz = timezone.get_current_timezone()
    assert period.start == datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    assert period.end == datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)


def test_consecutive_periods_touch_without_gap_or_overlap():
    for start_day in (1, 2, 15, 26, 28):
        period = period_for(2026, 1, start_day=start_day)
        for _i in range(24):
            following = period.next()
            assert following.first_day == period.last_day + datetime.timedelta(days=1)
            assert following.previous() == period
            period = following


@pytest.mark.parametrize(
    ("day", "start_day", "expected"),
    [
        (D(2026, 11, 25), 26, (2026, 11)),
        (D(2026, 11, 26), 26, (2026, 12)),
        (D(2026, 12, 26), 26, (2027, 1)),
        (D(2026, 12, 31), 1, (2026, 12)),
        (D(2027, 1, 1), 1, (2027, 1)),
    ],
)
def test_a_day_falls_in_one_period(day, start_day, expected):
    period = period_containing(day, start_day=start_day)
    assert (period.year, period.month) == expected and period.contains(day)


def test_the_year_starts_with_its_first_period():
    assert period_for(2027, 5, start_day=26).year_first_day == D(2026, 12, 26)
    assert period_for(2027, 5, start_day=1).year_first_day == D(2027, 1, 1)


@pytest.mark.parametrize(
    ("year", "month", "start_day", "deadline_day", "expected"),
    [
        (2026, 11, 1, 23, D(2026, 12, 23)),
        (2026, 12, 1, 23, D(2027, 1, 23)),
        # 31 = month end, clipped: January's report is due at February's end.
        (2026, 1, 1, 31, D(2026, 2, 28)),
        (2028, 1, 1, 31, D(2028, 2, 29)),
        (2026, 11, 1, 31, D(2026, 12, 31)),
        # 26th–25th: the 25th itself is the period's last day, so the next 25th.
        (2026, 11, 26, 25, D(2026, 12, 25)),
        (2026, 11, 26, 28, D(2026, 11, 28)),
        (2026, 11, 26, 31, D(2026, 11, 30)),
        (2026, 11, 26, 5, D(2026, 12, 5)),
    ],
)
def test_deadline_is_the_first_deadline_day_after_the_period(year, month, start_day, deadline_day, expected):
    period = period_for(year, month, start_day=start_day)
    assert period.deadline(deadline_day) == expected
    assert period.deadline(deadline_day) > period.last_day
    assert deadline_for(year=year, month=month, day=deadline_day, start_day=start_day) == expected


def test_month_due_now_moves_on_after_the_deadline():
    assert month_due_now(D(2026, 12, 23), 23) == (2026, 11)
    assert month_due_now(D(2026, 12, 24), 23) == (2026, 12)
    assert month_due_now(D(2027, 1, 5), 23) == (2026, 12)
    # 26th–25th with the 28th: on 27 Nov the November period (to the 25th) is due.
    assert month_due_now(D(2026, 11, 27), 28, 26) == (2026, 11)
    assert month_due_now(D(2026, 11, 29), 28, 26) == (2026, 12)


def test_reporting_period_uses_the_county_setting(demo, township):
    assert reporting_period(township, 2026, 11).first_day == D(2026, 11, 1)
    county_rules(demo.county, start_day=26, deadline_day=28)
    assert reporting_period(township, 2026, 11).first_day == D(2026, 10, 26)
    assert period_of(township, D(2026, 11, 26)) == (2026, 12)
    tz = timezone.get_current_timezone()
    # 00:30 local on the 26th is already the next period.
    assert period_of(township, datetime.datetime(2026, 11, 26, 0, 30, tzinfo=tz)) == (2026, 12)
    assert period_of(township, datetime.datetime(2026, 11, 25, 23, 59, tzinfo=tz)) == (2026, 11)
    # Above county level there is no county rule: the calendar month.
    assert reporting_period(demo.prefecture, 2026, 11).first_day == D(2026, 11, 1)
