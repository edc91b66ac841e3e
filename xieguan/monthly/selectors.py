"""Scoped reads of monthly reports (SPEC §8): the figures of a township's
month in the national layout, the county's review list and the reporting
rates (like DHIS2's REPORTING_RATE and REPORTING_RATE_ON_TIME).

Every figure reuses the formula of the app that owns it: 巡查覆盖率 is
``inspections.selectors.patrol_status``, 信息报告率 and 及时报告率 are
``reports.selectors.report_indicators``; this module only counts records.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.areas.models import Area, Level
from xieguan.core.scope import get_object_for_user
from xieguan.inspections.models import Inspection, InspectionStatus, Opinion, Reinspection, ReinspectionResult
from xieguan.inspections.selectors import month_bounds, patrol_status
from xieguan.monthly.models import DEFAULT_DEADLINE_DAY, MonthlyReport, MonthlySetting, MonthlyStatus
from xieguan.outreach.models import Outreach
from xieguan.reports.models import Report
from xieguan.reports.selectors import Rate, county_of, period_bounds, report_indicators


@dataclass(frozen=True)
class LayoutRow:
    """One row of the national layout and what it counts: information
    reports by their category code, patrols and publicity by the category
    code of the unit they concern."""

    key: str
    label: str | Promise
    report_codes: tuple[str, ...]
    unit_codes: tuple[str, ...]


# The one mapping table from categories to the rows of 月报表. Medical
# institutions' patrols count under 传染病防控 (the station's patrol of a
# clinic checks infection control and the epidemic report); unlicensed
# practice has no registered unit, so 非法行医 and 计划生育 count clues only.
# A county's own report categories and publicity not about a unit fall into
# "other", so the columns still add up to every record of the month.
LAYOUT: tuple[LayoutRow, ...] = (
    LayoutRow("food_safety", _("Food safety"), ("food_safety", "foodborne"), ("food",)),
    LayoutRow("public_place", _("Public places"), ("public_place",), ("public_place",)),
    LayoutRow("drinking_water", _("Drinking water"), ("drinking_water",), ("drinking_water",)),
    LayoutRow("infectious", _("Infectious disease control"), ("emergency",), ("medical",)),
    LayoutRow("occupational", _("Occupational health"), ("occupational",), ("occupational",)),
    LayoutRow("school", _("School health"), ("school",), ("school",)),
    LayoutRow(
        "illegal_practice", _("Illegal medical practice (blood collection and supply)"), ("illegal_practice",), ()
    ),
    LayoutRow("family_planning", _("Family planning"), ("family_planning",), ()),
)
OTHER = LayoutRow("other", _("Other"), (), ())
ROWS_BY_KEY = {row.key: row for row in (*LAYOUT, OTHER)}
COLUMNS = ("clues", "patrols", "publicity")
PERIODS = ("month", "year")


def _row_for_report(code: str | None) -> str:
    for row in LAYOUT:
        if code in row.report_codes:
            return row.key
    return OTHER.key


def _row_for_unit(code: str | None) -> str:
    for row in LAYOUT:
        if code in row.unit_codes:
            return row.key
    return OTHER.key


def get_township_for_user(user: Any, pk: Any) -> Area:
    """A township in the user's area; 404 otherwise."""
    return get_object_for_user(Area.objects.filter(level=Level.TOWNSHIP), user, pk)


def get_monthly_report_for_user(user: Any, pk: Any) -> MonthlyReport:
    return get_object_for_user(MonthlyReport.objects.for_list(), user, pk)


def monthly_report_of(user: Any, *, township: Area, year: int, month: int) -> MonthlyReport | None:
    return MonthlyReport.objects.visible_to(user).for_list().filter(township=township, year=year, month=month).first()


# ---------------------------------------------------------------- deadline


def deadline_day_for(township: Area) -> int:
    county = county_of(township)
    setting = MonthlySetting.objects.filter(county=county).first() if county is not None else None
    return setting.deadline_day if setting is not None else DEFAULT_DEADLINE_DAY


def deadline_for(*, year: int, month: int, day: int) -> datetime.date:
    """The report of (year, month) is due on ``day`` of the following month
    (clipped to that month's length)."""
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def month_due_now(today: datetime.date, day: int) -> tuple[int, int]:
    """The month whose report the township works on now: last month until
    its deadline has passed, then this month."""
    last = today.replace(day=1) - datetime.timedelta(days=1)
    if today <= deadline_for(year=last.year, month=last.month, day=day):
        return last.year, last.month
    return today.year, today.month


# ---------------------------------------------------------------- figures


def _month_and_year(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    """(1 January, first of the month, first of the next month), local time."""
    year_start, _e = period_bounds(year)
    month_start, month_end = period_bounds(year, month)
    return year_start, month_start, month_end


def _reports(user: Any, township: Area, year: int, month: int) -> QuerySet[Report]:
    year_start, _m, month_end = _month_and_year(year, month)
    qs: Any = Report.objects.visible_to(user).filter(area__path__startswith=township.path)
    return qs.found_between(year_start, month_end)


def _patrols(user: Any, township: Area, year: int, month: int) -> QuerySet[Inspection]:
    """Submitted inspections in the township this year up to the month's end;
    a corrected record counts once, in its newest version (as the register)."""
    year_start, _m, month_end = _month_and_year(year, month)
    newer = Inspection.objects.filter(supersedes=OuterRef("pk"), status=InspectionStatus.SUBMITTED)
    return (
        Inspection.objects.visible_to(user)
        .filter(
            area__path__startswith=township.path,
            status=InspectionStatus.SUBMITTED,
            started_at__gte=year_start,
            started_at__lt=month_end,
        )
        .annotate(corrected=Exists(newer))
        .filter(corrected=False)
    )


def _publicity(user: Any, township: Area, year: int, month: int) -> QuerySet[Outreach]:
    _s, month_end = month_bounds(year, month)
    return Outreach.objects.visible_to(user).filter(
        area__path__startswith=township.path, date__gte=datetime.date(year, 1, 1), date__lte=month_end
    )


@dataclass
class FigureRow:
    key: str
    label: str | Promise
    clues: list[int] = field(default_factory=lambda: [0, 0])
    patrols: list[int] = field(default_factory=lambda: [0, 0])
    publicity: list[int] = field(default_factory=lambda: [0, 0])

    def cells(self) -> list[tuple[str, str, int]]:
        """(column, period, value) in the order of the printed table."""
        return [(c, p, getattr(self, c)[i]) for c in COLUMNS for i, p in enumerate(PERIODS)]


@dataclass
class MonthlyFigures:
    township: Area
    year: int
    month: int
    rows: list[FigureRow]
    total: FigureRow
    coverage_due: int
    coverage_done: int
    report_rate: Rate
    timely_rate: Rate
    opinions_issued: int
    opinions_rectified: int

    @property
    def coverage_rate(self) -> Rate:
        """巡查覆盖率 = units patrolled in their window ÷ units due (inspections.selectors.patrol_status)."""
        return Rate(self.coverage_done, self.coverage_due)

    def as_json(self) -> dict[str, Any]:
        """The figures as a version keeps them."""
        return {
            "rows": {r.key: {c: getattr(r, c) for c in COLUMNS} for r in [*self.rows, self.total]},
            "coverage": [self.coverage_done, self.coverage_due],
            "report_rate": [self.report_rate.numerator, self.report_rate.denominator],
            "timely_rate": [self.timely_rate.numerator, self.timely_rate.denominator],
            "opinions": [self.opinions_issued, self.opinions_rectified],
        }


def _count_into(rows: dict[str, FigureRow], column: str, counts: Any, row_of: Any) -> None:
    for item in counts:
        row = rows[row_of(item["code"])]
        getattr(row, column)[0] += item["month"]
        getattr(row, column)[1] += item["year"]


def monthly_figures(user: Any, *, township: Area, year: int, month: int, today: datetime.date) -> MonthlyFigures:
    """The township's 月报表 for (year, month) from the records the user may see.

    报告事件线索数 = information reports found in the period (reports.Report by
    found_at, whatever became of them); 实地巡查数 = submitted inspections
    started in the period (a correction counts once); 宣传教育数 = publicity
    records dated in the period. 本月 = the calendar month, 本年累计 = from
    1 January to the month's end. Rows per ``LAYOUT``. A fixed number of
    queries whatever the number of records."""
    _ys, month_start, month_end = _month_and_year(year, month)
    first_day, _last_day = month_bounds(year, month)
    rows = {r.key: FigureRow(r.key, r.label) for r in (*LAYOUT, OTHER)}

    reports = (
        _reports(user, township, year, month)
        .values(code=F("category__code"))
        .annotate(year=Count("id"), month=Count("id", filter=Q(found_at__gte=month_start)))
    )
    _count_into(rows, "clues", reports, _row_for_report)
    patrols = (
        _patrols(user, township, year, month)
        .values(code=F("unit__category__code"))
        .annotate(year=Count("id"), month=Count("id", filter=Q(started_at__gte=month_start)))
    )
    _count_into(rows, "patrols", patrols, _row_for_unit)
    publicity = (
        _publicity(user, township, year, month)
        .values(code=F("unit__category__code"))
        .annotate(year=Count("id"), month=Count("id", filter=Q(date__gte=first_day)))
    )
    _count_into(rows, "publicity", publicity, _row_for_unit)

    total = FigureRow("total", _("Total"))
    for row in rows.values():
        for column in COLUMNS:
            for i in (0, 1):
                getattr(total, column)[i] += getattr(row, column)[i]

    coverage = patrol_status(user, year=year, month=month, township=township, today=today).total
    report_total, _children = report_indicators(user, area=township, start=month_start, end=month_end)
    opinions = list(opinions_of_month(user, township=township, year=year, month=month))
    return MonthlyFigures(
        township=township,
        year=year,
        month=month,
        rows=list(rows.values()),
        total=total,
        coverage_due=coverage.due,
        coverage_done=coverage.done,
        report_rate=report_total.report_rate,
        timely_rate=report_total.timely_rate,
        opinions_issued=len(opinions),
        opinions_rectified=sum(1 for o in opinions if getattr(o, "rectified", False)),
    )


def opinions_of_month(user: Any, *, township: Area, year: int, month: int) -> QuerySet[Opinion]:
    """Opinions (意见书) issued in the township in the month, annotated
    ``rectified``: a re-inspection found them rectified (at any time since)."""
    _ys, month_start, month_end = _month_and_year(year, month)
    rectified = Reinspection.objects.filter(opinion=OuterRef("pk"), result=ReinspectionResult.RECTIFIED)
    return (
        Opinion.objects.visible_to(user)
        .filter(area__path__startswith=township.path, issued_at__gte=month_start, issued_at__lt=month_end)
        .annotate(rectified=Exists(rectified))
        .select_related("unit", "area")
        .order_by("issued_at", "id")
    )


def cell_records(
    user: Any, *, township: Area, year: int, month: int, row: str, column: str, period: str
) -> QuerySet[Any]:
    """The records behind one cell of the figures (the drill-down), in the
    order they happened. ValueError for a cell the layout does not have."""
    if column not in COLUMNS or period not in PERIODS or (row not in ROWS_BY_KEY and row != "total"):
        raise ValueError(row)
    _ys, month_start, _me = _month_and_year(year, month)
    first_day, _ld = month_bounds(year, month)

    def codes_filter(lookup: str, row_of: Any, codes: list[str]) -> Q:
        if row == "total":
            return Q()
        if row == OTHER.key:
            mapped = [c for r in LAYOUT for c in (r.report_codes if row_of is _row_for_report else r.unit_codes)]
            return ~Q(**{f"{lookup}__in": mapped}) | Q(**{f"{lookup}__isnull": True})
        return Q(**{f"{lookup}__in": codes})

    layout_row = ROWS_BY_KEY.get(row, OTHER)
    if column == "clues":
        qs: Any = _reports(user, township, year, month).filter(
            codes_filter("category__code", _row_for_report, list(layout_row.report_codes))
        )
        if period == "month":
            qs = qs.filter(found_at__gte=month_start)
        return qs.select_related("category", "area", "unit").order_by("found_at", "id")
    if column == "patrols":
        qs = _patrols(user, township, year, month).filter(
            codes_filter("unit__category__code", _row_for_unit, list(layout_row.unit_codes))
        )
        if period == "month":
            qs = qs.filter(started_at__gte=month_start)
        return qs.select_related("unit", "area").order_by("started_at", "id")
    qs = _publicity(user, township, year, month).filter(
        codes_filter("unit__category__code", _row_for_unit, list(layout_row.unit_codes))
    )
    if period == "month":
        qs = qs.filter(date__gte=first_day)
    return qs.select_related("unit", "area").order_by("date", "id")


# ---------------------------------------------------------------- review and rates


MISSING, RETURNED, SUBMITTED_ON_TIME, SUBMITTED_LATE, APPROVED = "missing", "returned", "on_time", "late", "approved"


@dataclass
class TownshipMonth:
    township: Area
    report: MonthlyReport | None
    deadline: datetime.date

    @property
    def state(self) -> str:
        """missing (no report, or still a draft), returned, on_time, late or
        approved; a returned report counts as not submitted."""
        report = self.report
        if report is None or report.status == MonthlyStatus.DRAFT:
            return MISSING
        if report.status == MonthlyStatus.RETURNED:
            return RETURNED
        if report.status == MonthlyStatus.APPROVED:
            return APPROVED
        return SUBMITTED_ON_TIME if report.on_time else SUBMITTED_LATE

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status in (MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED)

    @property
    def on_time(self) -> bool:
        return self.submitted and bool(self.report and self.report.on_time)


def expected_townships(user: Any, *, area: Area, year: int, month: int) -> list[Area]:
    """Townships expected to report (year, month): those with a station
    (乡镇卫生院 / 协管站) that existed at some time in the month."""
    start, end = month_bounds(year, month)
    stations: Any = Institution.objects.visible_to(user)
    township_ids = (
        stations.filter(type=InstitutionType.STATION, area__path__startswith=area.path, area__level=Level.TOWNSHIP)
        .existing_in(start, end)
        .values("area_id")
    )
    return list(Area.objects.filter(pk__in=township_ids).order_by("code", "path"))


def township_months(user: Any, *, area: Area, year: int, month: int) -> list[TownshipMonth]:
    """Each expected township of ``area`` with its report of the month. Three queries."""
    townships = expected_townships(user, area=area, year=year, month=month)
    reports = {
        r.township_id: r
        for r in MonthlyReport.objects.visible_to(user)
        .for_list()
        .filter(township__in=[t.pk for t in townships], year=year, month=month)
    }
    day = deadline_day_for(area) if area.level >= Level.COUNTY else DEFAULT_DEADLINE_DAY
    deadline = deadline_for(year=year, month=month, day=day)
    return [
        TownshipMonth(t, reports.get(t.pk), reports[t.pk].deadline if t.pk in reports else deadline) for t in townships
    ]


@dataclass
class ReportingRate:
    area: Area
    year: int
    month: int
    expected: int
    submitted: int
    on_time: int
    missing: list[Area]

    @property
    def rate(self) -> Rate:
        """上报率 (REPORTING_RATE) = reports submitted (approved or awaiting review) ÷ expected."""
        return Rate(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Rate:
        """及时上报率 (REPORTING_RATE_ON_TIME) = submitted by the deadline ÷ expected."""
        return Rate(self.on_time, self.expected)


def reporting_rates(user: Any, *, year: int, month: int) -> list[ReportingRate]:
    """The reporting rate of each county in the user's area for a month (a
    township user: of their own township), with the townships still missing
    (never submitted, or returned)."""
    areas = list(Area.objects.visible_to(user).filter(level=Level.COUNTY).order_by("code", "path"))
    institution = getattr(user, "institution", None)
    if not areas and institution is not None and institution.area.level == Level.TOWNSHIP:
        areas = [institution.area]
    result = []
    for area in areas:
        rows = township_months(user, area=area, year=year, month=month)
        result.append(
            ReportingRate(
                area=area,
                year=year,
                month=month,
                expected=len(rows),
                submitted=sum(r.submitted for r in rows),
                on_time=sum(r.on_time for r in rows),
                missing=[r.township for r in rows if not r.submitted],
            )
        )
    return result
