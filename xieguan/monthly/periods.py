"""Reporting periods of the monthly report (统计周期; SPEC §8).

A county sets the day its reporting month starts (``PeriodRule.start_day``,
1–28, from a month on: ``applies_from``) and the deadline day
(``MonthlySetting.deadline_day``, 1–31); without them the period is the
calendar month and the deadline the 23rd.

- Start day 1: the report "of November" covers 1 Nov 00:00 – 30 Nov 24:00.
- Start day *d* > 1: it covers *d* Oct 00:00 – (*d*−1) Nov 24:00, so the
  period is named after the month it ends in (上月26日至本月25日).
- A month's period ends on the last day its own rule gives it and starts
  the day after the month before ended (by that month's rule): periods
  always touch, without gap or overlap, also where the start day changes.
  The month a new start day applies from is the one longer or shorter
  month (1 → 26 from March: February 1–28, March 1–25, April 26 Mar – 25
  Apr), and months before it keep their boundaries.
- The year (本年累计) starts at the first period of the year: with 26, on
  26 December of the year before.
- The deadline is the first ``deadline_day`` strictly after the period's
  last day: the day in the month the period ends in if it falls after that
  last day, else in the following month; 29–31 are clipped to the month's
  length (31 = month end). Calendar month + 23 → the 23rd of the next
  month; 26th–25th + 25 → the 25th of the next month (a deadline on the
  period's last day would leave no time to report); 26th–25th + 28 → the
  28th of the same month; calendar month + 31 → the next month's end.
- A month's report can be submitted from its period's last day on, and its
  approval locks the period's records only once the period is over
  (``locks.assert_month_open``): a record made today always belongs to an
  open period.

Everything in the monthly app that needs a month's bounds asks this module.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from xieguan.core import display
from xieguan.core.validators import local_midnight

DEFAULT_DEADLINE_DAY = 23
DEFAULT_PERIOD_START_DAY = 1
# The rule carried over from the single start day a county had before rules
# were dated applies "since always": the first month the system knows.
SINCE_ALWAYS = datetime.date(2000, 1, 1)


def _clip(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def last_day_of(year: int, month: int, start_day: int) -> datetime.date:
    """The last day of (year, month)'s period when periods start on
    ``start_day``: the month's end for 1, else the day before ``start_day``."""
    if start_day <= 1:
        return _clip(year, month, 31)
    return datetime.date(year, month, start_day - 1)


def month_label(year: int, month: int) -> str:
    """A month as people write it: 2026年12月."""
    return display.month_label(year, month)


def day_label(day: datetime.date) -> str:
    """A day as people write it: 2026年12月31日."""
    return display.date_label(day)


@dataclass(frozen=True)
class Rules:
    """A county's monthly report rules: the deadline day, and the start days
    of its reporting months over time — ``start_days`` holds (applies_from,
    start_day) pairs, ``applies_from`` the first of a month, ascending;
    before the first pair periods are calendar months."""

    deadline_day: int = DEFAULT_DEADLINE_DAY
    start_days: tuple[tuple[datetime.date, int], ...] = ()

    @classmethod
    def fixed(cls, start_day: int = DEFAULT_PERIOD_START_DAY, deadline_day: int = DEFAULT_DEADLINE_DAY) -> Rules:
        """One start day since always."""
        return cls(deadline_day, ((datetime.date.min, start_day),))

    def start_day(self, year: int, month: int) -> int:
        """The start day in force for the report of (year, month)."""
        first = datetime.date(year, month, 1)
        found = DEFAULT_PERIOD_START_DAY
        for applies_from, start_day in self.start_days:
            if applies_from > first:
                break
            found = start_day
        return found

    @property
    def latest_start_day(self) -> int:
        """The start day of the latest rule (what applies from now on, or from its month)."""
        return self.start_days[-1][1] if self.start_days else DEFAULT_PERIOD_START_DAY

    def last_day(self, year: int, month: int) -> datetime.date:
        return last_day_of(year, month, self.start_day(year, month))

    def period(self, year: int, month: int) -> Period:
        """The period of the report of (year, month)."""
        before = _shift(year, month, -1)
        return Period(
            year,
            month,
            self.last_day(*before) + datetime.timedelta(days=1),
            self.last_day(year, month),
            self.start_day(year, month),
            rules=self,
        )

    def containing(self, day: datetime.date) -> Period:
        """The period a day falls in: its month's, or, once that month's
        period has ended (on the day before the start day), the next month's."""
        if day <= self.last_day(day.year, day.month):
            return self.period(day.year, day.month)
        return self.period(*_shift(day.year, day.month, 1))

    def deadline(self, year: int, month: int) -> datetime.date:
        return self.period(year, month).deadline(self.deadline_day)


@dataclass(frozen=True)
class Period:
    """One reporting month: ``first_day``–``last_day`` inclusive;
    ``start``–``end`` the same as aware local datetimes, ``end`` exclusive.
    ``start_day`` is the start day in force for the month (its first day
    differs from it in the month a new start day applies from)."""

    year: int
    month: int
    first_day: datetime.date
    last_day: datetime.date
    start_day: int
    rules: Rules = field(default_factory=Rules, compare=False, repr=False)

    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        return local_midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def year_first_day(self) -> datetime.date:
        """The first day of the year's first period (本年累计 counts from it)."""
        return self.rules.period(self.year, 1).first_day

    @property
    def year_start(self) -> datetime.datetime:
        return local_midnight(self.year_first_day)

    def deadline(self, deadline_day: int) -> datetime.date:
        """The first ``deadline_day`` after the period's last day (see the module doc)."""
        last = self.last_day
        candidate = _clip(last.year, last.month, deadline_day)
        if candidate <= last:
            year, month = _shift(last.year, last.month, 1)
            candidate = _clip(year, month, deadline_day)
        return candidate

    def previous(self) -> Period:
        return self.rules.period(*_shift(self.year, self.month, -1))

    def next(self) -> Period:
        return self.rules.period(*_shift(self.year, self.month, 1))

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day

    def is_over(self, today: datetime.date) -> bool:
        """The period has ended: ``today`` lies after its last day."""
        return today > self.last_day


def period_for(year: int, month: int, *, start_day: int = DEFAULT_PERIOD_START_DAY) -> Period:
    """The period of (year, month) when periods start on ``start_day``."""
    return Rules.fixed(start_day).period(year, month)


def period_containing(day: datetime.date, *, start_day: int = DEFAULT_PERIOD_START_DAY) -> Period:
    """The period a day falls in: with a start day *d* > 1, days from the
    *d*-th on belong to the next month's period."""
    return Rules.fixed(start_day).containing(day)


def _county_id(path: str) -> uuid.UUID | None:
    """The county a path lies in (or is), None above county level."""
    from xieguan.areas.models import Level

    ids = [p for p in (path or "").split("/") if p]
    return uuid.UUID(ids[Level.COUNTY - 1]) if len(ids) >= Level.COUNTY else None


def rules_for(area: Any) -> Rules:
    """The rules of the county holding ``area`` (its deadline day and its
    start days over time); the defaults where the county set none, and
    above county level. One query (none above county level)."""
    from xieguan.areas.models import Area

    county_id = _county_id(area.path)
    if county_id is None:
        return Rules()
    rows = list(
        Area.objects.filter(pk=county_id)
        .order_by()
        .values_list("monthly_setting__deadline_day", "period_rules__applies_from", "period_rules__start_day")
    )
    deadline = next((row[0] for row in rows if row[0] is not None), DEFAULT_DEADLINE_DAY)
    return Rules(deadline, tuple(sorted((row[1], row[2]) for row in rows if row[1] is not None)))


def start_days_under(path: str) -> Callable[[str], Rules]:
    """The start days of every county at or under ``path``, and of the county
    above it: a lookup from a county's id (hex, as in area paths) to its
    rules (the calendar month for a county without). One query. What the
    registry's ``month_schedules`` answers to the apps below monthly."""
    from django.db.models import Q

    from xieguan.monthly.models import PeriodRule

    county_id = _county_id(path)
    wanted = Q(county__path__startswith=path) | (Q(county_id=county_id) if county_id else Q())
    rows = PeriodRule.objects.filter(wanted).values_list("county_id", "applies_from", "start_day")
    changes: dict[str, list[tuple[datetime.date, int]]] = {}
    for county, applies_from, start_day in rows:
        changes.setdefault(county.hex, []).append((applies_from, start_day))
    found = {county: Rules(start_days=tuple(sorted(pairs))) for county, pairs in changes.items()}
    return CountyRules(found)


@dataclass(frozen=True)
class CountyRules:
    """A lookup from a county's id (hex) to its rules; ``known`` names the
    counties that have rules of their own (every other one has the
    calendar month), so a caller can treat those alone separately."""

    known: dict[str, Rules]

    def __call__(self, county: str) -> Rules:
        return self.known.get(county, _CALENDAR)


_CALENDAR = Rules()


def reporting_period(area: Any, year: int, month: int) -> Period:
    """The period of (year, month) with the boundaries of ``area``'s county."""
    return rules_for(area).period(year, month)


def period_of(area: Any, day: datetime.date | datetime.datetime) -> tuple[int, int]:
    """The (year, month) of the report that counts ``day`` in ``area``'s county."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    found = rules_for(area).containing(day)
    return found.year, found.month
