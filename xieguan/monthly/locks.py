"""The lock an approved monthly report puts on its month (SPEC §8).

Write services of the records the report counts or rests on call
``assert_month_open`` with the record's area and date before they change
it, so a figure the county approved cannot move under it:

- inspections: create, save draft, submit, correct, photos, signatures;
  opinions; re-inspections and their photos;
- information reports: filing, photos, every step of the flow (forwarding
  sets the time the report reached the county, which 及时报告率 counts);
- publicity: create, edit, delete, photos;
- trainings of a township: create, edit, delete (a county's trainings sit
  above township level and are never locked). Sign-ins are not locked: no
  figure of the monthly report counts attendances, and people must be able
  to sign in on the day.

A granted unlock opens the month until its expiry."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def _local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    return value


def assert_month_open(area: Any, date: datetime.date | datetime.datetime | None, *, field: str | None = None) -> None:
    """ValidationError (in Chinese) when the township holding ``area`` has an
    approved, not unlocked monthly report for the reporting month that
    counts ``date`` (with the county's period boundaries, ``monthly.periods``).
    Areas above township level and missing dates are never locked.

    One query: a date belongs to its calendar month's period or, when the
    county's periods start after the 1st, to the next month's; both
    candidates are read with the county's start day alongside, and the one
    whose period holds the date decides."""
    if area is None or date is None:
        return
    from django.db.models import Q, Subquery

    from xieguan.areas.models import Level
    from xieguan.monthly.models import MonthlyReport, MonthlySetting, MonthlyStatus
    from xieguan.monthly.periods import DEFAULT_PERIOD_START_DAY, period_containing
    from xieguan.units.selectors import township_path_of

    township_path = township_path_of(area.path)
    if not township_path:
        return
    county_id = uuid.UUID([p for p in township_path.split("/") if p][Level.COUNTY - 1])
    day = _local_date(date)
    following = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    start_day = MonthlySetting.objects.filter(county_id=county_id).values("period_start_day")[:1]
    candidates = (
        MonthlyReport.objects.filter(township__path=township_path, status=MonthlyStatus.APPROVED)
        .filter(Q(year=day.year, month=day.month) | Q(year=following[0], month=following[1]))
        .annotate(start_day=Subquery(start_day))
        .select_related("township")
    )
    now = timezone.now()
    for report in candidates:
        period = period_containing(day, start_day=getattr(report, "start_day", None) or DEFAULT_PERIOD_START_DAY)
        if (period.year, period.month) != (report.year, report.month) or not report.is_locked(now):
            continue
        message = _(
            "The monthly report of %(township)s for %(year)d-%(month)02d is approved and locked: "
            "records of that month can no longer change. Ask the county to unlock it first."
        ) % {"township": report.township.name, "year": report.year, "month": report.month}
        raise ValidationError({field: message} if field else message)
