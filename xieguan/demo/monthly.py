"""Monthly reports of the demo county (SPEC §8): every township reported
each past month of the year and the county approved it, except that 河东镇
never sent last month's report, half of last month's still await review, and
one township was late in February.
Only months whose reporting period is over are reported (a report can be
submitted from its period's last day on): the current month stays open, so
the demo's own records stay editable."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from xieguan.core.statistics import analysed
from xieguan.demo.clock import past
from xieguan.monthly.models import MonthlyReport, MonthlyReportVersion, MonthlyStatus
from xieguan.monthly.periods import rules_for
from xieguan.monthly.selectors import monthly_figures

MISSING_LAST_MONTH = "河东镇"


@analysed
def load_monthly(demo: Any) -> None:
    """Approved reports for each month of this year whose period (the
    county's, ``monthly.periods``) is over; the figures of each version are
    computed from the demo's records (as the county sees them). Two bulk
    inserts."""
    today = timezone.localdate()
    bureau, inst = demo.users["bureau"], demo.users["inst"]
    tz = timezone.get_current_timezone()
    reports, versions = [], []
    rules = rules_for(demo.county)
    months = [m for m in range(1, 13) if rules.period(today.year, m).is_over(today)]
    for month in months:
        deadline = rules.deadline(today.year, month)
        last_month = month == months[-1]
        for index, (township, station) in enumerate(zip(demo.townships, demo.stations, strict=False)):
            if last_month and township.name == MISSING_LAST_MONTH:
                continue
            late = index == 3 and month == 2
            day = deadline + datetime.timedelta(days=2 if late else -(index % 5) - 1)
            submitted_at = past(datetime.datetime.combine(min(day, today), datetime.time(16, 30), tzinfo=tz))
            submitter = next((u for u in demo.users.values() if u.institution_id == station.pk), bureau)
            report = MonthlyReport(
                township=township,
                year=today.year,
                month=month,
                status=MonthlyStatus.APPROVED if not last_month or index % 2 else MonthlyStatus.SUBMITTED,
                deadline=deadline,
                submitted_at=submitted_at,
                submitted_by=submitter,
                on_time=not late,
                remarks="",
                reviewed_by=inst if not last_month or index % 2 else None,
                reviewed_at=past(submitted_at + datetime.timedelta(days=1)),
            )
            reports.append(report)
            figures = monthly_figures(bureau, township=township, year=today.year, month=month, today=today)
            versions.append(
                MonthlyReportVersion(
                    report=report,
                    number=1,
                    figures=figures.as_json(),
                    submitted_at=submitted_at,
                    submitted_by=submitter,
                )
            )
    MonthlyReport.objects.bulk_create(reports)
    MonthlyReportVersion.objects.bulk_create(versions)
