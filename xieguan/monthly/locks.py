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

A granted unlock opens the month until its expiry. A period locks only
once it is over, so the day's work is never refused."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from xieguan.core.errors import StateConflict
from xieguan.core.validators import local_day


def assert_month_open(area: Any, date: datetime.date | datetime.datetime | None, *, field: str | None = None) -> None:
    """ValidationError (in Chinese) when the township holding ``area`` has an
    approved, not unlocked monthly report for the reporting month that
    counts ``date`` (with the county's period boundaries in force for that
    month, ``monthly.periods``) and that period is over. Areas above
    township level and missing dates are never locked, and neither is a
    period that has not ended: a record made today always belongs to an
    open period, whenever its report was approved.

    One query: a date belongs to its calendar month's period or, once that
    period has ended, to the next month's; both candidate reports are read
    with the county's start days for the two months alongside, and the one
    whose period holds the date decides."""
    if area is None or date is None:
        return
    from django.db.models import Q, Subquery

    from xieguan.monthly.models import MonthlyReport, MonthlyStatus, PeriodRule
    from xieguan.monthly.periods import DEFAULT_PERIOD_START_DAY, last_day_of
    from xieguan.units.selectors import township_path_of

    township_path = township_path_of(area.path)
    if not township_path:
        return
    from xieguan.areas.models import Level

    county_id = uuid.UUID([p for p in township_path.split("/") if p][Level.COUNTY - 1])
    day = local_day(date)
    following = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)

    def start_day_of(year: int, month: int) -> Subquery:
        rules = PeriodRule.objects.filter(county_id=county_id, applies_from__lte=datetime.date(year, month, 1))
        return Subquery(rules.order_by("-applies_from").values("start_day")[:1])

    candidates = (
        MonthlyReport.objects.filter(township__path=township_path, status=MonthlyStatus.APPROVED)
        .filter(Q(year=day.year, month=day.month) | Q(year=following[0], month=following[1]))
        .annotate(this_start=start_day_of(day.year, day.month), next_start=start_day_of(*following))
        .select_related("township")
    )
    now = timezone.now()
    today = timezone.localdate(now)
    for report in candidates:
        this_last = last_day_of(day.year, day.month, getattr(report, "this_start", None) or DEFAULT_PERIOD_START_DAY)
        if day <= this_last:
            month, last = (day.year, day.month), this_last
        else:
            next_start = getattr(report, "next_start", None) or DEFAULT_PERIOD_START_DAY
            month, last = following, last_day_of(*following, next_start)
        if month != (report.year, report.month) or not report.is_locked(now) or last >= today:
            continue
        message = _(
            "The monthly report of %(township)s for %(year)d-%(month)02d is approved and locked: "
            "records of that month can no longer change. Ask the county to unlock it first."
        ) % {"township": report.township.name, "year": report.year, "month": report.month}
        raise StateConflict({field: message} if field else message)
