"""The county overview of a month (SPEC §8, issue 9 part 5): each township
of a county — or, for the prefecture, each county — with its key indicators,
each a numerator and a denominator with its formula and a drill-down.

No formula is written here: every figure is the one its own app computes.

- 建档率: ``units.selectors.filing_rate_by_township`` (the registry as it is
  now: whether a file is complete has no history);
- 巡查覆盖率: ``inspections.selectors.patrol_status`` for the month;
- 信息报告率 / 及时报告率: ``reports.selectors.report_indicators``;
- 意见书整改完成率: ``monthly.selectors.opinions_of_month`` (issued in the
  month; rectified when a re-inspection found them so);
- publicity: records dated in the month, and the quarter's state from
  ``outreach.selectors.publicity_due`` (at least one per quarter);
- training: trainings held in the area in the month and their sign-ins;
- the monthly report's state: ``monthly.selectors.township_months`` (a
  county) and ``reporting_rates`` (a prefecture's counties).

Each of these reads every township of the user's scope at once, so the
overview costs the same number of queries for 10 townships or 100.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.inspections.selectors import patrol_status
from xieguan.monthly.periods import reporting_period
from xieguan.monthly.selectors import (
    APPROVED,
    MISSING,
    NOT_DUE,
    RETURNED,
    SUBMITTED_LATE,
    SUBMITTED_ON_TIME,
    opinions_of_month,
    reporting_rates,
    township_months,
)
from xieguan.outreach.models import Training
from xieguan.outreach.selectors import publicity_due
from xieguan.reports.selectors import REPORT_RATE_FORMULA, TIMELY_RATE_FORMULA, Rate, ReportRates, report_indicators
from xieguan.units.selectors import filing_rate_by_township

FILING_FORMULA = _("Filing rate = units with a complete file ÷ units not closed (the registry as it is today)")
COVERAGE_FORMULA = _(
    "Patrol coverage = units patrolled in their window ÷ units due in the month "
    "(monthly units in the month, quarterly units in the quarter; only units that existed in the month)"
)
RECTIFIED_FORMULA = _(
    "Rectification rate = opinions issued in the month that a re-inspection found rectified ÷ opinions issued in the month"
)
PUBLICITY_FORMULA = _("Publicity records dated in the month; the quarter is done with at least one record")
TRAINING_FORMULA = _("Trainings held in the area in the month; people = sign-ins at them")
STATUS_FORMULA = _(
    "Monthly report: submitted ÷ townships expected to report (those with a station in the month); "
    "a returned report counts as not submitted"
)

# Order of the report states when sorting: the worst first.
STATE_ORDER = {None: -1, MISSING: 0, RETURNED: 1, NOT_DUE: 2, SUBMITTED_LATE: 3, SUBMITTED_ON_TIME: 4, APPROVED: 5}


@dataclass
class OverviewRow(ReportRates):
    """One township (or county) of the overview; every figure is a pair of
    counts, so the rates can be summed into a total and none exceeds 100%."""

    area: Area
    is_total: bool = False
    units: int = 0
    complete: int = 0
    due: int = 0
    patrolled: int = 0
    found: int = 0
    reported: int = 0
    timely: int = 0
    opinions: int = 0
    rectified: int = 0
    publicity: int = 0
    publicity_quarter: int = 0
    quarter_townships: int = 0
    quarter_done: int = 0
    # A township's quarter as the outreach app judges it: done, due or overdue.
    publicity_state: str = ""
    trainings: int = 0
    trained: int = 0
    state: str | None = None
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late_or_missing: list[Area] = field(default_factory=list)

    @property
    def filing_rate(self) -> Rate:
        """建档率 = units with a complete file ÷ units not closed."""
        return Rate(self.complete, self.units)

    @property
    def coverage_rate(self) -> Rate:
        """巡查覆盖率 = units patrolled in their window ÷ units due."""
        return Rate(self.patrolled, self.due)

    @property
    def rectified_rate(self) -> Rate:
        """意见书整改完成率 = opinions of the month rectified ÷ issued."""
        return Rate(self.rectified, self.opinions)

    @property
    def quarter_rate(self) -> Rate:
        """Townships with publicity this quarter ÷ townships."""
        return Rate(self.quarter_done, self.quarter_townships)

    @property
    def submitted_rate(self) -> Rate:
        """上报率 = submitted ÷ expected."""
        return Rate(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Rate:
        """及时上报率 = submitted by the deadline ÷ expected."""
        return Rate(self.on_time, self.expected)


@dataclass
class Overview:
    area: Area
    year: int
    month: int
    rows: list[OverviewRow]
    total: OverviewRow

    @property
    def of_counties(self) -> bool:
        return self.area.level < Level.COUNTY


def overview_area(user: Any, area_id: str | None) -> Area | None:
    """The county or prefecture the user looks at: ``area_id`` if it is one
    in the user's scope (404 otherwise), else the user's own county or
    prefecture; None for a township user (they have their monthly report)."""
    if area_id:
        area = get_area_for_user(user, area_id)
        if area.level not in (Level.PREFECTURE, Level.COUNTY):
            raise Http404
        return area
    root = scope_root_for(user)
    if root is not None and root.level > Level.COUNTY:
        return None
    if root is not None and root.level in (Level.PREFECTURE, Level.COUNTY):
        return root
    # A province or the whole country: the first prefecture below it.
    return Area.objects.visible_to(user).filter(level=Level.PREFECTURE).order_by("code", "path").first()


def _segment(path: str, level: int) -> str | None:
    """The id (hex) of the area of ``level`` that ``path`` lies in."""
    segments = [s for s in path.split("/") if s]
    return segments[level - 1] if len(segments) >= level else None


def _add(rows: dict[str, OverviewRow], level: int, path: str, **counts: int) -> None:
    row = rows.get(_segment(path, level) or "")
    if row is None:
        return
    for name, value in counts.items():
        setattr(row, name, getattr(row, name) + value)


def month_overview(user: Any, *, area: Area, year: int, month: int, today: datetime.date) -> Overview:
    """The townships of a county (or the counties of a prefecture) with
    their indicators for (year, month) and a total for ``area``. Only what
    the user may see counts. A bounded number of queries, whatever the
    number of townships (one more per county for a prefecture's report
    states)."""
    level = area.level + 1
    period = reporting_period(area, year, month)
    first_day, last_day, start, end = period.first_day, period.last_day, period.start, period.end
    children = list(
        Area.objects.visible_to(user)
        .filter(parent=area, level=level)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gte=first_day))
        .order_by("code", "name", "path")
    )
    rows = {c.id.hex: OverviewRow(area=c) for c in children}
    total = OverviewRow(area=area, is_total=True)
    inside = [area.path]

    def count(path: str, **counts: int) -> None:
        if not path.startswith(inside[0]):
            return
        _add(rows, level, path, **counts)
        for name, value in counts.items():
            setattr(total, name, getattr(total, name) + value)

    for filing in filing_rate_by_township(user):
        count(filing.township.path, units=filing.units, complete=filing.complete)
    for coverage in patrol_status(user, year=year, month=month, today=today).coverage:
        count(coverage.township.path, due=coverage.due, patrolled=coverage.done)

    # Reports: the app's own total (it also holds the county's own reports).
    report_total, report_rows = report_indicators(user, area=area, start=start, end=end)
    for indicator in report_rows:
        if indicator.area.pk != area.pk:
            _add(
                rows,
                level,
                indicator.area.path,
                found=indicator.found,
                reported=indicator.reported,
                timely=indicator.timely,
            )
    total.found, total.reported, total.timely = report_total.found, report_total.reported, report_total.timely

    opinions: Any = opinions_of_month(user, township=area, year=year, month=month)
    for path, rectified in opinions.values_list("area__path", "rectified"):
        count(path, opinions=1, rectified=int(bool(rectified)))

    from xieguan.outreach.models import Outreach

    publicity = (
        Outreach.objects.visible_to(user)
        .filter(area__path__startswith=area.path, date__gte=first_day, date__lte=last_day)
        .values("area__path")
        .annotate(n=Count("id"))
    )
    for item in publicity:
        count(item["area__path"], publicity=item["n"])
    quarter = (month - 1) // 3
    for township in publicity_due(user, year=year, today=today):
        done = township.counts[quarter]
        count(township.township.path, publicity_quarter=done, quarter_townships=1, quarter_done=int(done > 0))
        row = rows.get(township.township.id.hex)
        if row is not None:
            row.publicity_state = township.states[quarter]

    trainings = (
        Training.objects.visible_to(user)
        .filter(area__path__startswith=area.path, date__gte=first_day, date__lte=last_day)
        .values("area__path")
        .annotate(n=Count("id", distinct=True), people=Count("attendances"))
    )
    for item in trainings:
        count(item["area__path"], trainings=item["n"], trained=item["people"])

    if level == Level.TOWNSHIP:
        for township_month in township_months(user, area=area, year=year, month=month, today=today):
            row = rows.get(township_month.township.id.hex)
            submitted, on_time = int(township_month.submitted), int(township_month.on_time)
            if row is not None:
                row.state = township_month.state
                row.expected, row.submitted, row.on_time = 1, submitted, on_time
            total.expected += 1
            total.submitted += submitted
            total.on_time += on_time
    else:
        for rate in reporting_rates(user, year=year, month=month):
            row = rows.get(rate.area.id.hex)
            if row is None:
                continue
            row.expected, row.submitted, row.on_time = rate.expected, rate.submitted, rate.on_time
            row.late_or_missing = rate.missing
            total.expected += rate.expected
            total.submitted += rate.submitted
            total.on_time += rate.on_time
    return Overview(area=area, year=year, month=month, rows=list(rows.values()), total=total)


def _percent_key(rate: Callable[[OverviewRow], Rate]) -> Callable[[OverviewRow], Decimal | None]:
    return lambda row: rate(row).percent


SORTS: dict[str, Callable[[OverviewRow], Any]] = {
    "filing": _percent_key(lambda r: r.filing_rate),
    "coverage": _percent_key(lambda r: r.coverage_rate),
    "report": _percent_key(lambda r: r.report_rate),
    "timely": _percent_key(lambda r: r.timely_rate),
    "rectified": _percent_key(lambda r: r.rectified_rate),
    "publicity": lambda r: r.publicity,
    "training": lambda r: r.trainings,
    "status": lambda r: STATE_ORDER.get(r.state, -1) if r.area.level == Level.TOWNSHIP else r.submitted_rate.percent,
}


def sorted_rows(rows: Iterable[OverviewRow], *, sort: str, descending: bool) -> list[OverviewRow]:
    """The rows by one column; a figure with nothing to count ("—") stays
    last whichever the direction, and equal figures keep the area order."""
    ordered = list(rows)
    key = SORTS.get(sort)
    if key is None:
        return list(reversed(ordered)) if descending else ordered
    counted = [r for r in ordered if key(r) is not None]
    empty = [r for r in ordered if key(r) is None]
    return sorted(counted, key=key, reverse=descending) + empty


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    formula: str | Promise


COLUMNS = (
    Column("filing", _("Filing rate"), FILING_FORMULA),
    Column("coverage", _("Patrol coverage"), COVERAGE_FORMULA),
    Column("report", _("Report rate"), REPORT_RATE_FORMULA),
    Column("timely", _("Timely report rate"), TIMELY_RATE_FORMULA),
    Column("rectified", _("Opinions rectified"), RECTIFIED_FORMULA),
    Column("publicity", _("Publicity"), PUBLICITY_FORMULA),
    Column("training", _("Training"), TRAINING_FORMULA),
    Column("status", _("Monthly report"), STATUS_FORMULA),
)


def trainings_of_month(user: Any, *, area: Area, year: int, month: int) -> Any:
    """Trainings held in ``area`` in the month with their sign-ins (the
    drill-down of the training column), by the county's reporting period."""
    period = reporting_period(area, year, month)
    return (
        Training.objects.for_list()
        .visible_to(user)
        .filter(area__path__startswith=area.path, date__gte=period.first_day, date__lte=period.last_day)
        .order_by("date", "id")
    )
