"""A county's monthly report rules as a test needs them, and a clock set to a
chosen local day (the rules of submitting and locking follow the date)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from xieguan.monthly.models import MonthlySetting, PeriodRule
from xieguan.monthly.periods import DEFAULT_DEADLINE_DAY, SINCE_ALWAYS


def county_rules(
    county: Any,
    *,
    start_day: int = 1,
    deadline_day: int = DEFAULT_DEADLINE_DAY,
    applies_from: datetime.date = SINCE_ALWAYS,
) -> PeriodRule:
    """The county's deadline day, and its periods starting on ``start_day``
    from ``applies_from`` on (since always by default)."""
    MonthlySetting.objects.update_or_create(county=county, defaults={"deadline_day": deadline_day})
    return PeriodRule.objects.create(county=county, start_day=start_day, applies_from=applies_from)


def set_clock(monkeypatch: Any, day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``timezone.now()`` (and so ``localdate()``) at ``hour`` local time of
    ``day`` until the test ends."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return moment
