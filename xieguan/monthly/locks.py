"""The lock an approved monthly report puts on its month (SPEC §8).

Write services of the records the report counts (inspections, opinions,
re-inspections, information reports, publicity, training) call
``assert_month_open`` with the record's area and date before they change it,
so a figure the county approved cannot move under it. A granted unlock opens
the month until its expiry."""

from __future__ import annotations

import datetime
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
    approved, not unlocked monthly report for the month of ``date``. Areas
    above township level and missing dates are never locked. One query."""
    if area is None or date is None:
        return
    from xieguan.monthly.models import MonthlyReport, MonthlyStatus
    from xieguan.units.selectors import township_path_of

    township_path = township_path_of(area.path)
    if not township_path:
        return
    day = _local_date(date)
    report = (
        MonthlyReport.objects.filter(
            township__path=township_path, year=day.year, month=day.month, status=MonthlyStatus.APPROVED
        )
        .select_related("township")
        .first()
    )
    if report is None or not report.is_locked(timezone.now()):
        return
    message = _(
        "The monthly report of %(township)s for %(year)d-%(month)02d is approved and locked: "
        "records of that month can no longer change. Ask the county to unlock it first."
    ) % {"township": report.township.name, "year": report.year, "month": report.month}
    raise ValidationError({field: message} if field else message)
