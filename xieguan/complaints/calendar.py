"""The county calendar (glossary 工作日 / 调休 ``WorkCalendar``): the national
holiday schedule from chinesecalendar, corrected by the county's own
``CalendarOverride`` rows, which are also the only source for a year the
library does not know yet (there, without an override, Monday to Friday
work).

Deadlines count working days after the day a step starts, as Chinese
administrative time limits do: the starting day itself is not counted."""

from __future__ import annotations

import datetime
from typing import Any

import chinese_calendar

from xieguan.complaints.models import CalendarOverride

# Longer than any run of holidays: a bound so a broken calendar cannot loop.
_MAX_SPAN = 3660


def _library_workday(day: datetime.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # A year the library has no schedule for yet: the county adds the
        # holidays as overrides; until then weekdays are working days.
        return day.weekday() < 5


class WorkCalendar:
    """One county's working days; reads its overrides once per range."""

    def __init__(self, county: Any) -> None:
        self.county = county
        self._overrides: dict[datetime.date, bool] | None = None

    def _load(self) -> dict[datetime.date, bool]:
        if self._overrides is None:
            if self.county is None:
                self._overrides = {}
            else:
                rows = CalendarOverride.objects.filter(county=self.county).values_list("date", "is_workday")
                self._overrides = dict(rows)
        return self._overrides

    def is_workday(self, day: datetime.date) -> bool:
        overrides = self._load()
        if day in overrides:
            return overrides[day]
        return _library_workday(day)

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The ``n``-th working day after ``start`` (``start`` not counted);
        ``start`` itself for n = 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        counted = 0
        for _step in range(_MAX_SPAN):
            if counted >= n:
                return day
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        raise ValueError("no working days in the calendar")

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative
        when ``end`` is before ``start``)."""
        if end < start:
            return -self.working_days_between(end, start)
        days = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                days += 1
        return days


def add_working_days(county: Any, start: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``start`` on ``county``'s calendar."""
    return WorkCalendar(county).add_working_days(start, n)


def is_workday(county: Any, day: datetime.date) -> bool:
    return WorkCalendar(county).is_workday(day)
