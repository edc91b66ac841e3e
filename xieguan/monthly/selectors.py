"""Scoped reads of monthly reports (SPEC §8): the figures of a township's
month in the national layout, the county's review list and the reporting
rates (like DHIS2's REPORTING_RATE and REPORTING_RATE_ON_TIME).

Every figure reuses the formula of the app that owns it: 巡查覆盖率 is
``inspections.selectors.patrol_status``, 信息报告率 and 及时报告率 are
``reports.selectors.report_indicators``; this module only counts records.
"""

from __future__ import annotations

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
from xieguan.inspections.selectors import patrol_status
from xieguan.monthly.models import DEFAULT_DEADLINE_DAY, MonthlyReport, MonthlyStatus
from xieguan.monthly.periods import Period, Rules, period_for, reporting_period, rules_for
from xieguan.outreach.models import Outreach
from xieguan.reports.models import Report, ReportNature
from xieguan.reports.selectors import Rate, report_indicators


@dataclass(frozen=True)
class LayoutRow:
    """One row of the national layout and what it counts: information
    reports by their category code, patrols and publicity by the category
    code of the unit they concern."""

    key: str
    label: str | Promise
    report_codes: tuple[str, ...]
    unit_codes: tuple[str, ...]
    split: bool = True


@dataclass(frozen=True)
class SubRow:
    """A split row's part: 事故/隐患 or 违法行为. Only 报告事件线索数 is
    counted per part (by ``Report.nature``); the row's patrols and
    publicity are one figure printed across both parts (rowspan)."""

    key: str
    row: str
    nature: str
    label: str | Promise


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
        "illegal_practice",
        _("Illegal medical practice (blood collection and supply)"),
        ("illegal_practice",),
        (),
        split=False,
    ),
    LayoutRow("family_planning", _("Family planning"), ("family_planning",), (), split=False),
)
OTHER = LayoutRow("other", _("Other"), (), (), split=False)
ROWS_BY_KEY = {row.key: row for row in (*LAYOUT, OTHER)}
COLUMNS = ("clues", "patrols", "publicity")
PERIODS = ("month", "year")
# 非法行医(采供血) and 计划生育 are illegal acts by nature and stay single
# rows (their clues count whatever nature the reporter chose); the other
# rows of the layout split into 事故/隐患 and 违法行为.
NATURE_LABELS = {ReportNature.HAZARD.value: _("Incidents and hazards"), ReportNature.VIOLATION.value: _("Illegal acts")}
SUB_ROWS_BY_KEY = {
    f"{row.key}-{nature}": SubRow(f"{row.key}-{nature}", row.key, nature, label)
    for row in LAYOUT
    if row.split
    for nature, label in NATURE_LABELS.items()
}


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


def get_county_for_user(user: Any, pk: Any) -> Area:
    """A county whose monthly report rules the user may read: one in their
    area, or the county their own township or village lies in (its rules
    bind them); 404 otherwise."""
    institution = getattr(user, "institution", None)
    if institution is not None and institution.area.level > Level.COUNTY:
        county_id = institution.area.ancestor_ids()[Level.COUNTY - 1]
        if str(pk).replace("-", "") == county_id.replace("-", ""):
            return Area.objects.get(pk=county_id)
    return get_object_for_user(Area.objects.filter(level=Level.COUNTY), user, pk)


def get_monthly_report_for_user(user: Any, pk: Any) -> MonthlyReport:
    return get_object_for_user(MonthlyReport.objects.for_list(), user, pk)


def monthly_report_of(user: Any, *, township: Area, year: int, month: int) -> MonthlyReport | None:
    return MonthlyReport.objects.visible_to(user).for_list().filter(township=township, year=year, month=month).first()


# ---------------------------------------------------------------- deadline


def deadline_day_for(township: Area) -> int:
    """The county's deadline day (``MonthlySetting``; 23 by default)."""
    return rules_for(township).deadline_day


def deadline_for(*, year: int, month: int, day: int, start_day: int = 1) -> datetime.date:
    """The deadline of the report of (year, month): the first ``day`` after
    its period closes (``periods.Period.deadline``); with calendar months,
    ``day`` of the following month, clipped to its length."""
    return period_for(year, month, start_day=start_day).deadline(day)


def month_due_now(today: datetime.date, day: int, start_day: int = 1, rules: Rules | None = None) -> tuple[int, int]:
    """The month whose report the township works on now: the last period
    until its deadline has passed, then the current one (``rules``: a
    county's, with its start days over time; else ``start_day`` always)."""
    rules = rules or Rules.fixed(start_day, day)
    current = rules.containing(today)
    last = current.previous()
    if today <= last.deadline(day):
        return last.year, last.month
    return current.year, current.month


def due_now_for(area: Area, today: datetime.date) -> tuple[int, int]:
    """``month_due_now`` with the rules of ``area``'s county."""
    rules = rules_for(area)
    return month_due_now(today, rules.deadline_day, rules=rules)


# ---------------------------------------------------------------- figures


def _reports(user: Any, township: Area, period: Period) -> QuerySet[Report]:
    qs: Any = Report.objects.visible_to(user).filter(area__path__startswith=township.path)
    return qs.found_between(period.year_start, period.end)


def _patrols(user: Any, township: Area, period: Period) -> QuerySet[Inspection]:
    """Submitted inspections in the township this year up to the period's end;
    a corrected record counts once, in its newest version (as the register)."""
    newer = Inspection.objects.filter(supersedes=OuterRef("pk"), status=InspectionStatus.SUBMITTED)
    return (
        Inspection.objects.visible_to(user)
        .filter(
            area__path__startswith=township.path,
            status=InspectionStatus.SUBMITTED,
            started_at__gte=period.year_start,
            started_at__lt=period.end,
        )
        .annotate(corrected=Exists(newer))
        .filter(corrected=False)
    )


def _publicity(user: Any, township: Area, period: Period) -> QuerySet[Outreach]:
    return Outreach.objects.visible_to(user).filter(
        area__path__startswith=township.path, date__gte=period.year_first_day, date__lte=period.last_day
    )


@dataclass
class FigureRow:
    """A row's figures, [本月, 本年累计] per column; a split row also has
    ``parts`` (事故/隐患, 违法行为) whose clues add up to the row's."""

    key: str
    label: str | Promise
    clues: list[int] = field(default_factory=lambda: [0, 0])
    patrols: list[int] = field(default_factory=lambda: [0, 0])
    publicity: list[int] = field(default_factory=lambda: [0, 0])
    parts: list[FigureRow] = field(default_factory=list)
    nature: str = ""

    def cells(self) -> list[tuple[str, str, int]]:
        """(column, period, value) in the order of the printed table."""
        return [(c, p, getattr(self, c)[i]) for c in COLUMNS for i, p in enumerate(PERIODS)]

    def clue_cells(self) -> list[tuple[str, str, int]]:
        """The 报告事件线索数 cells only (a part's row in the printed table)."""
        return [("clues", p, self.clues[i]) for i, p in enumerate(PERIODS)]

    def shared_cells(self) -> list[tuple[str, str, int]]:
        """The cells a split row prints once across its parts."""
        return [(c, p, getattr(self, c)[i]) for c in COLUMNS[1:] for i, p in enumerate(PERIODS)]

    def part(self, nature: str) -> FigureRow | None:
        return next((p for p in self.parts if p.nature == nature), None)


@dataclass(frozen=True)
class TableCell:
    """One cell of the printed 月报表: ``kind`` is "group" (a split row's
    label across its parts), "label" (a row's or a part's label) or
    "figure" (a number, drilled to by ``key``/``column``/``period``)."""

    kind: str
    text: str | Promise | int
    key: str
    rowspan: int = 1
    colspan: int = 1
    column: str = ""
    period: str = ""


@dataclass(frozen=True)
class TableLine:
    """One printed line of the 月报表 (a ``<tr>``, an Excel row)."""

    key: str
    cells: tuple[TableCell, ...]
    part: bool = False
    total: bool = False


def _figure_cells(cells: list[tuple[str, str, int]], key: str, rowspan: int = 1) -> list[TableCell]:
    return [TableCell("figure", value, key, rowspan=rowspan, column=c, period=p) for c, p, value in cells]


@dataclass
class MonthlyFigures:
    township: Area
    year: int
    month: int
    period: Period
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

    def table_lines(self) -> list[TableLine]:
        """The 月报表's body as printed, line by line: the page, the Excel
        sheet and the PDF all draw these, so the three carry the same rows
        and cells. A split row is one line per part (事故/隐患, 违法行为)
        with the row's label and its patrols and publicity spanning the
        parts; a whole row is its label across both label columns and its
        six figures; the total comes last."""
        lines: list[TableLine] = []
        for row in [*self.rows, self.total]:
            if not row.parts:
                cells = [TableCell("label", row.label, row.key, colspan=2), *_figure_cells(row.cells(), row.key)]
                lines.append(TableLine(row.key, tuple(cells), total=row is self.total))
                continue
            span = len(row.parts)
            for i, part in enumerate(row.parts):
                cells = [TableCell("group", row.label, row.key, rowspan=span)] if i == 0 else []
                cells += [TableCell("label", part.label, part.key), *_figure_cells(part.clue_cells(), part.key)]
                if i == 0:
                    cells += _figure_cells(row.shared_cells(), row.key, rowspan=span)
                lines.append(TableLine(part.key, tuple(cells), part=True))
        return lines

    def as_json(self) -> dict[str, Any]:
        """The figures as a version keeps them. A split row carries
        ``parts`` {nature: {"clues": [month, year]}}; versions kept before
        the split have none (and still read as whole rows)."""

        def row_json(r: FigureRow) -> dict[str, Any]:
            data: dict[str, Any] = {c: getattr(r, c) for c in COLUMNS}
            if r.parts:
                data["parts"] = {p.nature: {"clues": p.clues} for p in r.parts}
            return data

        return {
            "period": [self.period.first_day.isoformat(), self.period.last_day.isoformat()],
            "rows": {r.key: row_json(r) for r in [*self.rows, self.total]},
            "coverage": [self.coverage_done, self.coverage_due],
            "report_rate": [self.report_rate.numerator, self.report_rate.denominator],
            "timely_rate": [self.timely_rate.numerator, self.timely_rate.denominator],
            "opinions": [self.opinions_issued, self.opinions_rectified],
        }


def _count_into(rows: dict[str, FigureRow], column: str, counts: Any, row_of: Any) -> None:
    for item in counts:
        row = rows[row_of(item["code"])]
        targets = [row]
        part = row.part(item.get("nature") or "")
        if part is not None:
            targets.append(part)
        for target in targets:
            getattr(target, column)[0] += item["month"]
            getattr(target, column)[1] += item["year"]


def _empty_rows() -> dict[str, FigureRow]:
    rows = {r.key: FigureRow(r.key, r.label) for r in (*LAYOUT, OTHER)}
    for sub in SUB_ROWS_BY_KEY.values():
        rows[sub.row].parts.append(FigureRow(sub.key, sub.label, nature=sub.nature))
    return rows


def monthly_figures(
    user: Any, *, township: Area, year: int, month: int, today: datetime.date, period: Period | None = None
) -> MonthlyFigures:
    """The township's 月报表 for (year, month) from the records the user may see.

    报告事件线索数 = information reports found in the period (reports.Report by
    found_at, whatever became of them), split by ``Report.nature`` into
    事故/隐患 and 违法行为 where the row splits; 实地巡查数 = submitted
    inspections started in the period (a correction counts once); 宣传教育数 =
    publicity records dated in the period. 本月 = the county's reporting
    period (``periods.reporting_period``), 本年累计 = from the start of the
    year's first period to the period's end. Rows per ``LAYOUT``. A fixed
    number of queries whatever the number of records."""
    period = period or reporting_period(township, year, month)
    rows = _empty_rows()

    reports = (
        _reports(user, township, period)
        .values("nature", code=F("category__code"))
        .annotate(year=Count("id"), month=Count("id", filter=Q(found_at__gte=period.start)))
    )
    _count_into(rows, "clues", reports, _row_for_report)
    patrols = (
        _patrols(user, township, period)
        .values(code=F("unit__category__code"))
        .annotate(year=Count("id"), month=Count("id", filter=Q(started_at__gte=period.start)))
    )
    _count_into(rows, "patrols", patrols, _row_for_unit)
    publicity = (
        _publicity(user, township, period)
        .values(code=F("unit__category__code"))
        .annotate(year=Count("id"), month=Count("id", filter=Q(date__gte=period.first_day)))
    )
    _count_into(rows, "publicity", publicity, _row_for_unit)

    total = FigureRow("total", _("Total"))
    for row in rows.values():
        for column in COLUMNS:
            for i in (0, 1):
                getattr(total, column)[i] += getattr(row, column)[i]

    # 巡查覆盖率 is the inspections app's own figure; its windows are the
    # county's periods (a monthly unit's the month's, a quarterly unit's the
    # quarter's three), which it reads through the registry.
    coverage = patrol_status(user, year=year, month=month, township=township, today=today).total
    report_total, _children = report_indicators(user, area=township, start=period.start, end=period.end)
    opinions = list(opinions_of_month(user, township=township, year=year, month=month, period=period))
    return MonthlyFigures(
        township=township,
        year=year,
        month=month,
        period=period,
        rows=list(rows.values()),
        total=total,
        coverage_due=coverage.due,
        coverage_done=coverage.done,
        report_rate=report_total.report_rate,
        timely_rate=report_total.timely_rate,
        opinions_issued=len(opinions),
        opinions_rectified=sum(1 for o in opinions if getattr(o, "rectified", False)),
    )


def opinions_of_month(
    user: Any, *, township: Area, year: int, month: int, period: Period | None = None
) -> QuerySet[Opinion]:
    """Opinions (意见书) issued in the township in the month's period, annotated
    ``rectified``: a re-inspection found them rectified (at any time since)."""
    period = period or reporting_period(township, year, month)
    rectified = Reinspection.objects.filter(opinion=OuterRef("pk"), result=ReinspectionResult.RECTIFIED)
    return (
        Opinion.objects.visible_to(user)
        .filter(area__path__startswith=township.path, issued_at__gte=period.start, issued_at__lt=period.end)
        .annotate(rectified=Exists(rectified))
        .select_related("unit", "area")
        .order_by("issued_at", "id")
    )


def cell_records(
    user: Any, *, township: Area, year: int, month: int, row: str, column: str, period: str
) -> QuerySet[Any]:
    """The records behind one cell of the figures (the drill-down), in the
    order they happened: exactly those ``monthly_figures`` counted in it. A
    part row (``food_safety-hazard``) has only 报告事件线索数 cells.
    ValueError for a cell the layout does not have."""
    sub = SUB_ROWS_BY_KEY.get(row)
    if column not in COLUMNS or period not in PERIODS or (row not in ROWS_BY_KEY and row != "total" and not sub):
        raise ValueError(row)
    if sub is not None and column != "clues":
        raise ValueError(row)
    bounds = reporting_period(township, year, month)
    row_key = sub.row if sub is not None else row

    def codes_filter(lookup: str, row_of: Any, codes: list[str]) -> Q:
        if row_key == "total":
            return Q()
        if row_key == OTHER.key:
            mapped = [c for r in LAYOUT for c in (r.report_codes if row_of is _row_for_report else r.unit_codes)]
            return ~Q(**{f"{lookup}__in": mapped}) | Q(**{f"{lookup}__isnull": True})
        return Q(**{f"{lookup}__in": codes})

    layout_row = ROWS_BY_KEY.get(row_key, OTHER)
    if column == "clues":
        qs: Any = _reports(user, township, bounds).filter(
            codes_filter("category__code", _row_for_report, list(layout_row.report_codes))
        )
        if sub is not None:
            qs = qs.filter(nature=sub.nature)
        if period == "month":
            qs = qs.filter(found_at__gte=bounds.start)
        return qs.select_related("category", "area", "unit").order_by("found_at", "id")
    if column == "patrols":
        qs = _patrols(user, township, bounds).filter(
            codes_filter("unit__category__code", _row_for_unit, list(layout_row.unit_codes))
        )
        if period == "month":
            qs = qs.filter(started_at__gte=bounds.start)
        return qs.select_related("unit", "area").order_by("started_at", "id")
    qs = _publicity(user, township, bounds).filter(
        codes_filter("unit__category__code", _row_for_unit, list(layout_row.unit_codes))
    )
    if period == "month":
        qs = qs.filter(date__gte=bounds.first_day)
    return qs.select_related("unit", "area").order_by("date", "id")


def row_label(row: str) -> Any:
    """The label of a row or part key for the drill-down page ("" if unknown)."""
    sub = SUB_ROWS_BY_KEY.get(row)
    if sub is not None:
        return f"{ROWS_BY_KEY[sub.row].label} · {sub.label}"
    if row in ROWS_BY_KEY:
        return ROWS_BY_KEY[row].label
    return _("Total") if row == "total" else ""


# ---------------------------------------------------------------- review and rates


MISSING, RETURNED, SUBMITTED_ON_TIME, SUBMITTED_LATE, APPROVED = "missing", "returned", "on_time", "late", "approved"
NOT_DUE = "not_due"


@dataclass
class TownshipMonth:
    township: Area
    report: MonthlyReport | None
    deadline: datetime.date
    today: datetime.date | None = None

    @property
    def state(self) -> str:
        """not_due (not submitted, the deadline still ahead), missing (no
        report, or still a draft, after the deadline), returned, on_time,
        late or approved; a returned report counts as not submitted."""
        report = self.report
        if report is None or report.status == MonthlyStatus.DRAFT:
            if self.today is not None and self.today <= self.deadline:
                return NOT_DUE
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


def expected_townships(user: Any, *, area: Area, year: int, month: int, period: Period | None = None) -> list[Area]:
    """Townships expected to report (year, month): those with a station
    (乡镇卫生院 / 协管站) that existed at some time in the month's period."""
    bounds = period or reporting_period(area, year, month)
    start, end = bounds.first_day, bounds.last_day
    stations: Any = Institution.objects.visible_to(user)
    township_ids = (
        stations.filter(type=InstitutionType.STATION, area__path__startswith=area.path, area__level=Level.TOWNSHIP)
        .existing_in(start, end)
        .values("area_id")
    )
    return list(Area.objects.filter(pk__in=township_ids).order_by("code", "path"))


def township_months(
    user: Any, *, area: Area, year: int, month: int, today: datetime.date | None = None
) -> list[TownshipMonth]:
    """Each expected township of ``area`` with its report of the month. Four
    queries (the county's rules, the townships, their reports). With
    ``today``, a report not yet submitted before its deadline is not_due."""
    rules = rules_for(area) if area.level >= Level.COUNTY else Rules(DEFAULT_DEADLINE_DAY)
    bounds = rules.period(year, month)
    day = rules.deadline_day
    townships = expected_townships(user, area=area, year=year, month=month, period=bounds)
    reports = {
        r.township_id: r
        for r in MonthlyReport.objects.visible_to(user)
        .for_list()
        .filter(township__in=[t.pk for t in townships], year=year, month=month)
    }
    deadline = bounds.deadline(day)
    return [
        TownshipMonth(t, reports.get(t.pk), reports[t.pk].deadline if t.pk in reports else deadline, today)
        for t in townships
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
    deadline: datetime.date | None = None
    due: bool = True

    @property
    def rate(self) -> Rate:
        """上报率 (REPORTING_RATE) = reports submitted (approved or awaiting review) ÷ expected."""
        return Rate(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Rate:
        """及时上报率 (REPORTING_RATE_ON_TIME) = submitted by the deadline ÷ expected."""
        return Rate(self.on_time, self.expected)


def reporting_rates(
    user: Any, *, year: int, month: int, today: datetime.date | None = None, within: Area | None = None
) -> list[ReportingRate]:
    """The reporting rate of each county in the user's area for a month (a
    township user: of their own township), with the townships still missing
    (never submitted, or returned). With ``today``, a county whose deadline
    for the month is still ahead has nothing due: it counts no township
    (``due`` False) instead of showing every township missing. ``within``:
    only the counties of that area (a city's overview asks for its own, not
    the province's 100)."""
    return reporting_rates_of_months(user, year=year, months=[month], today=today, within=within)[month]


def reporting_rates_of_months(
    user: Any, *, year: int, months: list[int], today: datetime.date | None = None, within: Area | None = None
) -> dict[int, list[ReportingRate]]:
    """``reporting_rates`` of several months of a year at once, in five
    queries whatever the number of counties, townships and months (the
    counties, their rules, the stations, the reports; or a township's own).
    Each county's months follow its own rules (period boundaries and
    deadline day, ``monthly.periods``)."""
    county_rows = Area.objects.visible_to(user).filter(level=Level.COUNTY)
    if within is not None:
        county_rows = county_rows.filter(path__startswith=within.path)
    counties = list(county_rows.order_by("code", "path"))
    institution = getattr(user, "institution", None)
    if not counties:
        if institution is None or institution.area.level != Level.TOWNSHIP:
            return {m: [] for m in months}
        return {m: [_rate_of(user, institution.area, year, m, today)] for m in months}
    rules = _rules_of(counties)
    # The stations of every county, read once; each county's months then pick theirs.
    first = min(rules[c.pk].period(year, min(months)).first_day for c in counties)
    last = max(rules[c.pk].period(year, max(months)).last_day for c in counties)
    stations = (
        Institution.objects.visible_to(user)
        .filter(type=InstitutionType.STATION, area__level=Level.TOWNSHIP)
        .filter(area__path__startswith=_common_prefix([c.path for c in counties]))
        .existing_in(first, last)
        .select_related("area")
    )
    by_county: dict[str, list[Institution]] = {}
    for station in stations:
        by_county.setdefault(_county_hex(station.area.path), []).append(station)
    reports = {
        (r.township_id, r.month): r
        for r in MonthlyReport.objects.visible_to(user)
        .filter(year=year, month__in=months, township__path__startswith=_common_prefix([c.path for c in counties]))
        .only("id", "township_id", "month", "status", "on_time")
    }
    result: dict[int, list[ReportingRate]] = {}
    for month in months:
        rows = result.setdefault(month, [])
        for county in counties:
            county_rules = rules[county.pk]
            bounds = county_rules.period(year, month)
            deadline = bounds.deadline(county_rules.deadline_day)
            if today is not None and today <= deadline:
                rows.append(ReportingRate(county, year, month, 0, 0, 0, [], deadline, due=False))
                continue
            townships: dict[Any, Area] = {}
            for station in by_county.get(county.id.hex, []):
                if (station.opened_on is None or station.opened_on <= bounds.last_day) and (
                    station.closed_on is None or station.closed_on >= bounds.first_day
                ):
                    townships[station.area_id] = station.area
            ordered = sorted(townships.values(), key=lambda t: (t.code is None, t.code or "", t.path))
            submitted = on_time = 0
            missing = []
            for township in ordered:
                report = reports.get((township.pk, month))
                done = report is not None and report.status in (MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED)
                submitted += done
                on_time += done and bool(report and report.on_time)
                if not done:
                    missing.append(township)
            rows.append(ReportingRate(county, year, month, len(ordered), submitted, on_time, missing, deadline))
    return result


def _rate_of(user: Any, area: Area, year: int, month: int, today: datetime.date | None) -> ReportingRate:
    rules = rules_for(area)
    deadline = rules.deadline(year, month)
    if today is not None and today <= deadline:
        return ReportingRate(area, year, month, 0, 0, 0, [], deadline, due=False)
    rows = township_months(user, area=area, year=year, month=month)
    return ReportingRate(
        area=area,
        year=year,
        month=month,
        expected=len(rows),
        submitted=sum(r.submitted for r in rows),
        on_time=sum(r.on_time for r in rows),
        missing=[r.township for r in rows if not r.submitted],
        deadline=deadline,
    )


def _rules_of(counties: list[Area]) -> dict[Any, Rules]:
    """``rules_for`` of many counties in one query."""
    rows = (
        Area.objects.filter(pk__in=[c.pk for c in counties])
        .order_by()
        .values_list("id", "monthly_setting__deadline_day", "period_rules__applies_from", "period_rules__start_day")
    )
    deadlines: dict[Any, int] = {}
    starts: dict[Any, list[tuple[datetime.date, int]]] = {}
    for county_id, deadline, applies_from, start_day in rows:
        if deadline is not None:
            deadlines[county_id] = deadline
        if applies_from is not None:
            starts.setdefault(county_id, []).append((applies_from, start_day))
    return {
        c.pk: Rules(deadlines.get(c.pk, DEFAULT_DEADLINE_DAY), tuple(sorted(starts.get(c.pk, [])))) for c in counties
    }


def _county_hex(path: str) -> str:
    segments = [s for s in path.split("/") if s]
    return segments[Level.COUNTY - 1] if len(segments) >= Level.COUNTY else ""


def _common_prefix(paths: list[str]) -> str:
    """The longest area path all ``paths`` lie under ("/" at worst)."""
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return prefix
