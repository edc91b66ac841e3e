"""Reports made straight in the database with their times, for tests that
need rows whose figures are counted by hand."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from xieguan.reports.models import Report, ReportCategory, ReportStatus


def category(code: str) -> ReportCategory:
    return ReportCategory.objects.get(county__isnull=True, code=code)


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(y, m, d, hh, mm))


def make_report(
    *,
    area: Any,
    by: Any,
    found_at: datetime.datetime,
    code: str = "food_safety",
    reached_after: int | None = None,
    status: str | None = None,
    **extra: Any,
) -> Report:
    """A report found at ``found_at``; ``reached_after`` minutes later it
    reached the county (None: not reported)."""
    cat = category(code)
    reported_at = found_at + datetime.timedelta(minutes=reached_after) if reached_after is not None else None
    return Report.objects.create(
        area=area,
        institution=by.institution,
        category=cat,
        found_at=found_at,
        received_at=found_at + datetime.timedelta(minutes=5),
        reported_at=reported_at,
        deadline_at=found_at + datetime.timedelta(minutes=cat.limit_minutes),
        is_emergency=cat.is_emergency,
        place=extra.pop("place", "李家村小卖部"),
        content=extra.pop("content", "销售过期食品"),
        reporter=by,
        status=status or (ReportStatus.FORWARDED if reported_at else ReportStatus.FILED),
        **extra,
    )
