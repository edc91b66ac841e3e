"""Reporting periods of the monthly report (统计周期; SPEC §8).

A county sets the day its reporting month starts (``period_start_day``,
1–28) and the deadline day (``deadline_day``, 1–31) on its
``MonthlySetting``; without a setting the period is the calendar month and
the deadline the 23rd.

- Start day 1: the report "of November" covers 1 Nov 00:00 – 30 Nov 24:00.
- Start day *d* > 1: it covers *d* Oct 00:00 – (*d*−1) Nov 24:00, so the
  period is named after the month it ends in (上月26日至本月25日).
- The year (本年累计) starts at the first period of the year: with 26, on
  26 December of the year before.
- The deadline is the first ``deadline_day`` strictly after the period's
  last day: the day in the month the period ends in if it falls after that
  last day, else in the following month; 29–31 are clipped to the month's
  length (31 = month end). Calendar month + 23 → the 23rd of the next
  month; 26th–25th + 25 → the 25th of the next month (a deadline on the
  period's last day would leave no time to report); 26th–25th + 28 → the
  28th of the same month; calendar month + 31 → the next month's end.

Everything in the monthly app that needs a month's bounds asks this module.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

DEFAULT_DEADLINE_DAY = 23
DEFAULT_PERIOD_START_DAY = 1


def _clip(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class Period:
    """One reporting month: ``first_day``–``last_day`` inclusive;
    ``start``–``end`` the same as aware local datetimes, ``end`` exclusive."""

    year: int
    month: int
    first_day: datetime.date
    last_day: datetime.date
    start_day: int

    @property
    def start(self) -> datetime.datetime:
        return _local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        return _local_midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def year_first_day(self) -> datetime.date:
        """The first day of the year's first period (本年累计 counts from it)."""
        return period_for(self.year, 1, start_day=self.start_day).first_day

    @property
    def year_start(self) -> datetime.datetime:
        return _local_midnight(self.year_first_day)

    def deadline(self, deadline_day: int) -> datetime.date:
        """The first ``deadline_day`` after the period's last day (see the module doc)."""
        last = self.last_day
        candidate = _clip(last.year, last.month, deadline_day)
        if candidate <= last:
            year, month = _shift(last.year, last.month, 1)
            candidate = _clip(year, month, deadline_day)
        return candidate

    def previous(self) -> Period:
        return period_for(*_shift(self.year, self.month, -1), start_day=self.start_day)

    def next(self) -> Period:
        return period_for(*_shift(self.year, self.month, 1), start_day=self.start_day)

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day


def period_for(year: int, month: int, *, start_day: int = DEFAULT_PERIOD_START_DAY) -> Period:
    """The period of (year, month) when periods start on ``start_day``."""
    if start_day <= 1:
        return Period(year, month, datetime.date(year, month, 1), _clip(year, month, 31), 1)
    before = _shift(year, month, -1)
    return Period(
        year,
        month,
        datetime.date(before[0], before[1], start_day),
        datetime.date(year, month, start_day - 1),
        start_day,
    )


def period_containing(day: datetime.date, *, start_day: int = DEFAULT_PERIOD_START_DAY) -> Period:
    """The period a day falls in: with a start day *d* > 1, days from the
    *d*-th on belong to the next month's period."""
    if start_day > 1 and day.day >= start_day:
        return period_for(*_shift(day.year, day.month, 1), start_day=start_day)
    return period_for(day.year, day.month, start_day=start_day)


def rules_for(area: Any) -> tuple[int, int]:
    """(period_start_day, deadline_day) of the county holding ``area``; the
    defaults where the county set none. One query (none above county level)."""
    from xieguan.areas.models import Level
    from xieguan.monthly.models import MonthlySetting

    ids = [p for p in (area.path or "").split("/") if p]
    if len(ids) < Level.COUNTY:
        return DEFAULT_PERIOD_START_DAY, DEFAULT_DEADLINE_DAY
    row = MonthlySetting.objects.filter(county_id=uuid.UUID(ids[Level.COUNTY - 1])).values_list(
        "period_start_day", "deadline_day"
    )
    found = row.first()
    return found if found is not None else (DEFAULT_PERIOD_START_DAY, DEFAULT_DEADLINE_DAY)


def reporting_period(area: Any, year: int, month: int) -> Period:
    """The period of (year, month) with the boundaries of ``area``'s county."""
    start_day, _deadline = rules_for(area)
    return period_for(year, month, start_day=start_day)


def period_of(area: Any, day: datetime.date | datetime.datetime) -> tuple[int, int]:
    """The (year, month) of the report that counts ``day`` in ``area``'s county."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    start_day, _deadline = rules_for(area)
    found = period_containing(day, start_day=start_day)
    return found.year, found.month
