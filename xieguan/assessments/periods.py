"""The span an assessment covers, in the shape the indicators read (the
registry's Period protocol: year, month, first_day, last_day, start, end),
so a half-year or a year is asked of the same ``Indicator.value``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Span:
    first_day: datetime.date
    last_day: datetime.date

    @property
    def year(self) -> int:
        return self.first_day.year

    @property
    def month(self) -> int:
        return self.first_day.month

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first_day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> datetime.datetime:
        return datetime.datetime.combine(
            self.last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)
        )


def day_text(value: datetime.date) -> str:
    """A date inside a sentence, in the reader's language (2026年07月01日 in Chinese)."""
    return _("%(year)d-%(month)02d-%(day)02d") % {"year": value.year, "month": value.month, "day": value.day}
