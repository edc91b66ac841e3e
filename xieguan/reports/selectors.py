"""Scoped reads of information reports, and the two indicators (SPEC §5, §8).

信息报告率 (``report_rate``) = reports that reached the county ÷ events and
clues found; 及时报告率 (``timely_rate``) = reports that reached the county
within their limit ÷ reports that reached the county. Both count reports by
when they were *found* in the period, so a figure for a month never changes
because of what happens in the next one except the reporting itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.areas.models import Area, Level
from xieguan.core.registry import Rate
from xieguan.core.scope import ScopedQuerySet, get_object_for_user
from xieguan.reports.models import (
    UNREPORTED_STATUSES,
    ExposedPerson,
    Report,
    ReportCategory,
    ReportStatus,
    ZeroReport,
)

REPORT_RATE_FORMULA = gettext_lazy(
    "Report rate = events and clues reported to the county ÷ events and clues found (including those closed without forwarding)"
)
TIMELY_RATE_FORMULA = gettext_lazy(
    "Timely report rate = reports that reached the county within their limit from discovery ÷ reports that reached the county"
)


def get_report_for_user(user: Any, pk: Any) -> Report:
    """The report if it lies in the user's area; 404 otherwise."""
    return get_object_for_user(
        Report.objects.for_list().select_related("institution", "exposed_person", "inspection"), user, pk
    )


def get_exposed_person_for_user(user: Any, pk: Any) -> ExposedPerson:
    """The registered person if they lie in the user's area; 404 otherwise."""
    return get_object_for_user(ExposedPerson.objects.select_related("area"), user, pk)


def effective_categories(area: Area, *, active_only: bool = True) -> list[ReportCategory]:
    """The categories in force in the county that holds ``area``: the
    national defaults, each replaced by the county's own row of the same code
    where the county has one, plus the county's additions. One query."""
    rows = ReportCategory.objects.for_area_path(area.path).order_by("sort", "code", "county_id")
    chosen: dict[str, ReportCategory] = {}
    for row in rows:
        if row.code not in chosen or row.county_id is not None:
            chosen[row.code] = row
    result = sorted(chosen.values(), key=lambda c: (c.sort, c.code))
    return [c for c in result if c.is_active] if active_only else result


def county_of(area: Area) -> Area | None:
    """The county-level area on ``area``'s path (itself if it is one)."""
    if area.level == Level.COUNTY:
        return area
    return Area.objects.filter(pk__in=area.ancestor_ids(), level=Level.COUNTY).first()


# ---------------------------------------------------------------- lists


def reports_awaiting_county(user: Any) -> ScopedQuerySet[Report]:
    """Reports in the user's area whose clock is running (filed, not yet at
    the county), nearest their limit first."""
    qs: Any = Report.objects.visible_to(user)
    return qs.for_list().awaiting_county().order_by("deadline_at", "id")


OPEN_ORDERING = ["waiting", "deadline_at", "id"]
ALL_ORDERING = ["-found_at", "-id"]


@dataclass
class ReportFilters:
    state: str = "open"  # open | all
    area: Area | None = None
    category: ReportCategory | None = None
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    measure: str = ""  # found | reported | timely | late | not_reported
    unit_id: Any = None


def reports_filtered(user: Any, filters: ReportFilters) -> tuple[ScopedQuerySet[Report], list[str]]:
    """The reports a list shows and the keyset ordering to page them by.

    ``open``: reports not yet closed, those still on their way to the county
    first and, among them, the nearest to their limit first (SPEC §5: the
    county sees the most urgent first). ``all``: newest found first. A
    ``measure`` narrows to the reports behind one indicator figure."""
    qs: Any = Report.objects.visible_to(user)
    qs = qs.for_list()
    if filters.area is not None:
        qs = qs.filter(area__path__startswith=filters.area.path)
    if filters.category is not None:
        qs = qs.filter(category__code=filters.category.code)
    if filters.start is not None:
        qs = qs.filter(found_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(found_at__lt=filters.end)
    if filters.unit_id:
        qs = qs.filter(unit_id=filters.unit_id)
    measure = filters.measure
    if measure == "reported":
        qs = qs.reported()
    elif measure == "timely":
        qs = qs.timely()
    elif measure == "late":
        qs = qs.filter(reported_at__gt=F("deadline_at"))
    elif measure == "not_reported":
        qs = qs.filter(reported_at__isnull=True)
    if filters.state == "open" and not measure:
        qs = qs.filter(
            status__in=[*UNREPORTED_STATUSES, ReportStatus.FORWARDED, ReportStatus.HANDLED, ReportStatus.FED_BACK]
        ).annotate(
            waiting=Case(
                When(status__in=UNREPORTED_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        return qs, OPEN_ORDERING
    return qs, ALL_ORDERING


# ---------------------------------------------------------------- periods


def period_bounds(year: int, month: int | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a year or a month in local time."""
    if month:
        start = datetime.date(year, month, 1)
        end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    else:
        start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end, datetime.time.min, tzinfo=tz),
    )


# ---------------------------------------------------------------- indicators


class ReportRates:
    """信息报告率 and 及时报告率 of a row that counts reports ``found``,
    ``reported`` (reached the county) and ``timely`` (within their limit):
    the one place the two formulas are written."""

    found: int
    reported: int
    timely: int

    @property
    def report_rate(self) -> Rate:
        """信息报告率 = reported ÷ found."""
        return Rate(self.reported, self.found)

    @property
    def timely_rate(self) -> Rate:
        """及时报告率 = reported within the limit ÷ reported."""
        return Rate(self.timely, self.reported)


@dataclass
class IndicatorRow(ReportRates):
    area: Area
    found: int = 0
    reported: int = 0
    timely: int = 0
    is_total: bool = False

    @property
    def late(self) -> int:
        return self.reported - self.timely

    @property
    def not_reported(self) -> int:
        return self.found - self.reported


def _counts_by_path(qs: Any) -> list[dict[str, Any]]:
    return list(
        qs.values("area__path").annotate(
            found=Count("id"),
            reported=Count("id", filter=Q(reported_at__isnull=False)),
            timely=Count("id", filter=Q(reported_at__isnull=False, reported_at__lte=F("deadline_at"))),
        )
    )


def report_counts(user: Any, *, area: Area, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Reports found in [start, end) inside ``area``, per area path: how many
    were ``found``, ``reported`` (reached the county) and ``timely``. One query."""
    qs: Any = Report.objects.visible_to(user).filter(area__path__startswith=area.path)
    return _counts_by_path(qs.found_between(start, end))


def report_indicators(
    user: Any, *, area: Area, start: datetime.datetime, end: datetime.datetime
) -> tuple[IndicatorRow, list[IndicatorRow]]:
    """信息报告率 and 及时报告率 of ``area`` (the total) and of each area
    directly below it (county → townships, township → villages; a township's
    own reports, made at the station, count in its total and in a row of its
    own), for reports found in [start, end). Three queries whatever the size.
    """
    rows = report_counts(user, area=area, start=start, end=end)
    children = list(Area.objects.filter(parent=area).in_code_order())
    total = IndicatorRow(area=area, is_total=True)
    by_child = {c.pk: IndicatorRow(area=c) for c in children}
    own = IndicatorRow(area=area)
    for row in rows:
        total.found += row["found"]
        total.reported += row["reported"]
        total.timely += row["timely"]
        target = own
        for child in children:
            if row["area__path"].startswith(child.path):
                target = by_child[child.pk]
                break
        target.found += row["found"]
        target.reported += row["reported"]
        target.timely += row["timely"]
    result = [by_child[c.pk] for c in children if c.retired_on is None or by_child[c.pk].found]
    if children and own.found:
        result.insert(0, own)
    return total, result


# ---------------------------------------------------------------- zero reports


NOTHING_FOUND, REPORTS, ZERO, MISSING, OPEN, FUTURE = "nothing", "reports", "zero", "missing", "open", "future"


@dataclass
class StationMonths:
    station: Institution
    counts: list[int] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[int, str, int]]:
        return list(zip(range(1, 13), self.states, self.counts, strict=True))

    @property
    def missing(self) -> int:
        return self.states.count(MISSING)


def zero_report_grid(user: Any, *, year: int, today: datetime.date | None = None) -> list[StationMonths]:
    """Per station in the user's area and month of ``year``: how many events
    or clues were found in its township, and for a month with none whether
    the station confirmed it with a 零报告 ("zero": nothing happened) or not
    ("missing": nobody reported). The current month is "open" until it ends.
    Three queries."""
    today = today or timezone.localdate()
    institutions: Any = Institution.objects.visible_to(user)
    stations = list(
        institutions.filter(type=InstitutionType.STATION)
        .existing_in(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        .select_related("area")
        .order_by("area__code", "area__path", "name")
    )
    start, end = period_bounds(year)
    counts: dict[tuple[str, int], int] = {}
    reports: Any = Report.objects.visible_to(user)
    found = reports.found_between(start, end).values_list("area__path", "found_at")
    for path, found_at in found.iterator():
        month = timezone.localtime(found_at).month
        for station in stations:
            if path.startswith(station.area.path):
                counts[(station.area.path, month)] = counts.get((station.area.path, month), 0) + 1
    zeros = set(
        ZeroReport.objects.visible_to(user).filter(month__year=year).values_list("institution_id", "month__month")
    )
    result = []
    for station in stations:
        row = StationMonths(station=station)
        for month in range(1, 13):
            n = counts.get((station.area.path, month), 0)
            row.counts.append(n)
            if n:
                state = REPORTS
            elif (station.pk, month) in zeros:
                state = ZERO
            elif (year, month) > (today.year, today.month):
                state = FUTURE
            elif (year, month) == (today.year, today.month):
                state = OPEN
            else:
                state = MISSING
            row.states.append(state)
        result.append(row)
    return result


# ---------------------------------------------------------------- register


REGISTER_TYPES = (InstitutionType.INSTITUTE, InstitutionType.STATION, InstitutionType.INFO_POINT)


def register_institution_queryset(user: Any) -> Any:
    """Institutions whose register (登记表) the user may print: the stations,
    information points and institutes in the user's area (the page's picker
    and the API's lookup both read it)."""
    return (
        Institution.objects.visible_to(user)
        .filter(type__in=REGISTER_TYPES)
        .select_related("area")
        .order_by("area__path", "type", "name")
    )


def register_reports(
    user: Any, *, institution: Institution, start: datetime.datetime, end: datetime.datetime
) -> Iterable[Report]:
    """The rows of 卫生监督协管信息报告登记表 of ``institution``: every event
    or clue found in its area in [start, end), in the order found."""
    qs: Any = Report.objects.visible_to(user).filter(area__path__startswith=institution.area.path)
    return qs.found_between(start, end).select_related("category", "reporter").order_by("found_at", "id")


REGISTER_HEADERS = ["序号", "发现时间", "信息类别", "信息内容", "报告时间", "报告人"]  # i18n: data — the national form
REGISTER_WIDTHS = [6, 17, 16, 50, 20, 10]


def register_row(index: int, report: Report) -> list[Any]:
    """序号 | 发现时间 | 信息类别 | 信息内容 | 报告时间 | 报告人."""
    if report.reported_at is not None:
        reported = timezone.localtime(report.reported_at).strftime("%Y-%m-%d %H:%M")
    elif report.status == ReportStatus.NOT_FORWARDED:
        reported = _("not reported: %(reason)s") % {"reason": report.closing_reason}
    else:
        reported = _("not yet reported")
    return [
        index,
        timezone.localtime(report.found_at).strftime("%Y-%m-%d %H:%M"),
        report.category.name,
        report.summary,
        reported,
        report.reporter.full_name or report.reporter.username,
    ]
