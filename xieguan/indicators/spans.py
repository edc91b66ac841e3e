"""Periods an indicator is asked about: a reporting month, a quarter, a
half-year, a year, or a range of days, as one ``Span`` that satisfies
``core.registry.Period`` (year, month, first_day, last_day, start, end).

Written in a query string as ``2026-12``, ``2026Q4``, ``2026H2``, ``2026`` or
``2026-10-01~2026-12-31``. A month, a quarter, a half-year and a year run
over the county's reporting months (``monthly.periods``); a range over
exactly its days."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xieguan.core.validators import local_midnight
from xieguan.monthly.periods import reporting_period

MAX_RANGE_DAYS = 366 * 3


class BadPeriod(ValueError):
    """A period text we cannot read; the message says why, in the user's language."""


@dataclass(frozen=True)
class Span:
    kind: str  # month, quarter, half, year, range
    text: str
    year: int  # of the last month in the span
    month: int
    first_day: datetime.date
    last_day: datetime.date
    months: tuple[tuple[int, int], ...]
    label: str

    @property
    def start(self) -> datetime.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        return local_midnight(self.last_day + datetime.timedelta(days=1))


def _months(year: int, first: int, last: int) -> tuple[tuple[int, int], ...]:
    return tuple((year, m) for m in range(first, last + 1))


def _of_months(area: object, kind: str, text: str, months: tuple[tuple[int, int], ...], label: str) -> Span:
    first = reporting_period(area, *months[0])
    last = reporting_period(area, *months[-1])
    year, month = months[-1]
    return Span(kind, text, year, month, first.first_day, last.last_day, months, label)


def month_label(year: int, month: int) -> str:
    """A reporting month in words: 2026年4月, April 2026."""
    return date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")


def quarter_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": year}


def half_label(year: int, half: int) -> str:
    if half == 1:
        return _("H1 %(year)d") % {"year": year}
    return _("H2 %(year)d") % {"year": year}


def year_label(year: int) -> str:
    return _("%(year)d") % {"year": year}


def range_label(first: datetime.date, last: datetime.date) -> str:
    return _("%(first)s to %(last)s") % {"first": first.isoformat(), "last": last.isoformat()}


def month_span(area: object, year: int, month: int) -> Span:
    return _of_months(area, "month", f"{year}-{month:02d}", ((year, month),), month_label(year, month))


def months_between(first_day: datetime.date, last_day: datetime.date) -> tuple[tuple[int, int], ...]:
    """The calendar months a range of days touches."""
    found = []
    y, m = first_day.year, first_day.month
    while (y, m) <= (last_day.year, last_day.month):
        found.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(found)


def parse_span(text: str, *, area: object, today: datetime.date) -> Span:
    """The span a period text names; the current reporting month when empty."""
    text = (text or "").strip()
    if not text:
        return month_span(area, today.year, today.month)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise BadPeriod(_("The month must lie between 1 and 12."))
        return month_span(area, _year(year), month)
    if m := re.fullmatch(r"(\d{4})[Qq]([1-4])", text):
        year, q = _year(int(m[1])), int(m[2])
        return _of_months(area, "quarter", text.upper(), _months(year, 3 * q - 2, 3 * q), quarter_label(year, q))
    if m := re.fullmatch(r"(\d{4})[Hh]([12])", text):
        year, h = _year(int(m[1])), int(m[2])
        return _of_months(area, "half", text.upper(), _months(year, 6 * h - 5, 6 * h), half_label(year, h))
    if m := re.fullmatch(r"(\d{4})", text):
        year = _year(int(m[1]))
        return _of_months(area, "year", text, _months(year, 1, 12), year_label(year))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})", text):
        try:
            first, last = datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2])
        except ValueError as error:
            raise BadPeriod(_("The dates of the range are not real dates.")) from error
        if last < first:
            raise BadPeriod(_("The range ends before it starts."))
        if (last - first).days > MAX_RANGE_DAYS:
            raise BadPeriod(_("A range may span at most three years."))
        _year(first.year), _year(last.year)
        months = months_between(first, last)
        return Span("range", text, last.year, last.month, first, last, months, range_label(first, last))
    raise BadPeriod(_("Write the period as 2026-12, 2026Q4, 2026H2, 2026 or 2026-10-01~2026-12-31."))


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise BadPeriod(_("The year must lie between 2000 and 2100."))
    return year


def last_months(area: object, year: int, month: int, n: int = 12) -> list[Span]:
    """The n reporting months up to (year, month), oldest first."""
    found = []
    y, m = year, month
    for _i in range(n):
        found.append(month_span(area, y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return found[::-1]


def period_choices(area: object, today: datetime.date, current: Span) -> list[tuple[str, str]]:
    """What the period chooser offers, as (value, label) in words a user
    reads (2026年第4季度, not 2026Q4): the last twelve months, the last four
    quarters, this and last year's halves, this and the two years before;
    the span being shown comes first when it is none of these (a range)."""
    choices: list[tuple[str, str]] = [(s.text, s.label) for s in reversed(last_months(area, today.year, today.month))]
    q = (today.month - 1) // 3 + 1
    y = today.year
    for _i in range(4):
        choices.append((f"{y}Q{q}", quarter_label(y, q)))
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    for year in (today.year, today.year - 1):
        choices += [(f"{year}H2", half_label(year, 2)), (f"{year}H1", half_label(year, 1))]
    choices += [(str(year), year_label(year)) for year in range(today.year, today.year - 3, -1)]
    if current.text not in {value for value, _label in choices}:
        choices.insert(0, (current.text, current.label))
    return choices
