"""What information reports add to the shared registries (xieguan.core.registry)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xieguan.core.permissions import FILE_REPORT, HANDLE_REPORT, can
from xieguan.core.registry import (
    ArchiveSection,
    DueItem,
    DueSource,
    HomePanel,
    Indicator,
    LockedModel,
    MenuItem,
    Period,
    Tally,
    due_items,
    records_of_year,
    register,
)
from xieguan.reports.models import Report, ReportStatus
from xieguan.reports.selectors import REPORT_RATE_FORMULA, TIMELY_RATE_FORMULA, report_counts, reports_awaiting_county


def report_tally(user: Any, *, area: Any, period: Period, today: datetime.date) -> Tally:
    """信息报告率 and 及时报告率's counts per area, of reports found in the period."""
    for row in report_counts(user, area=area, start=period.start, end=period.end):
        yield row["area__path"], {"found": row["found"], "reported": row["reported"], "timely": row["timely"]}


def _drill(area: Any, period: Period) -> str:
    query = {"area": area.pk, "year": period.year, "month": period.month}
    return f"{reverse('reports:indicators')}?{urlencode(query)}"


def reports_on_their_way(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Reports in the person's area whose clock is running, nearest their limit first."""
    return [
        DueItem(
            "report",
            r.category.name,
            r.deadline_at,
            person,
            reverse("reports:detail", args=[r.pk]),
            r.area,
            r.deadline_at < now,
            r,
        )
        for r in reports_awaiting_county(person)
    ]


FORWARDED_HANDLE_WITHIN = datetime.timedelta(days=1)


def forwarded_not_handled(person: Any, now: datetime.datetime) -> list[DueItem]:
    """Reports forwarded to the county and not yet handled: the county
    supervisor's work, due a day after they arrived."""
    if not can(person, HANDLE_REPORT):
        return []
    qs: Any = Report.objects.visible_to(person)
    rows = qs.filter(status=ReportStatus.FORWARDED).select_related("category", "area").order_by("reported_at", "id")
    items = []
    for r in rows[:200]:
        due = (r.reported_at or r.deadline_at) + FORWARDED_HANDLE_WITHIN
        items.append(
            DueItem(
                "report_forwarded",
                gettext("Information report to handle: %(category)s") % {"category": r.category.name},
                due,
                person,
                reverse("reports:detail", args=[r.pk]),
                r.area,
                due < now,
                r,
            )
        )
    return items


def home_panel(user: Any, now: datetime.datetime, limit: int = 5) -> dict[str, Any]:
    """The reports on their way to the county, nearest first."""
    items = due_items(user, now, "report")
    return {
        "reports": [item.record for item in items[:limit]],
        "more": len(items) > limit,
        "now": now,
        "can_file": can(user, FILE_REPORT),
    }


register(
    MenuItem(_("Reports"), "reports:list", 30),
    LockedModel(Report, "found_at"),
    Indicator("report", _("Report rate"), REPORT_RATE_FORMULA, report_tally, "reported", "found", _drill, 30),
    Indicator("timely", _("Timely report rate"), TIMELY_RATE_FORMULA, report_tally, "timely", "reported", _drill, 40),
    DueSource("report", _("Reports on their way to the county"), reports_on_their_way, 10),
    DueSource("report_forwarded", _("Forwarded information reports to handle"), forwarded_not_handled, 11),
    HomePanel("reports/_home_panel.html", 10, home_panel),
    ArchiveSection(_("Information reports"), 50, records_of_year(Report, "found_at")),
)
