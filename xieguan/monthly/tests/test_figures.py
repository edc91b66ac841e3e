"""Every cell of one demo month against a hand count with plain ORM queries."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from xieguan.core.testing import count_queries
from xieguan.inspections.models import Inspection, Opinion, Reinspection
from xieguan.inspections.selectors import patrol_status
from xieguan.monthly.selectors import cell_records, monthly_figures
from xieguan.outreach.models import Outreach
from xieguan.reports.models import Report

# The table the report must follow, written out again by hand: row →
# (report category codes, unit category codes).
EXPECTED_ROWS = {
    "food_safety": (["food_safety", "foodborne"], ["food"]),
    "public_place": (["public_place"], ["public_place"]),
    "drinking_water": (["drinking_water"], ["drinking_water"]),
    "infectious": (["emergency"], ["medical"]),
    "occupational": (["occupational"], ["occupational"]),
    "school": (["school"], ["school"]),
    "illegal_practice": (["illegal_practice"], []),
    "family_planning": (["family_planning"], []),
}


def _local(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def test_every_cell_of_last_month_matches_a_hand_count(demo, township, comanager_in, supervisor_of):
    from xieguan.demo.inspections import load_inspections
    from xieguan.demo.outreach import load_outreach
    from xieguan.demo.reports import load_reports
    from xieguan.demo.units import load_units

    load_units(demo)
    load_outreach(demo)
    load_reports(demo)
    load_inspections(demo)
    today = timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    year, month = last.year, last.month
    jan1, first, next_first = datetime.date(year, 1, 1), last.replace(day=1), today.replace(day=1)
    path = township.path

    reports = Report.objects.filter(area__path__startswith=path)
    superseded = Inspection.objects.filter(supersedes__isnull=False, status="submitted").values("supersedes")
    patrols = Inspection.objects.filter(area__path__startswith=path, status="submitted").exclude(pk__in=superseded)
    publicity = Outreach.objects.filter(area__path__startswith=path)

    def counts(codes: tuple[list[str], list[str]] | None, start: datetime.date) -> dict[str, int]:
        r, p, o = reports, patrols, publicity
        if codes is not None:
            r = r.filter(category__code__in=codes[0])
            p = p.filter(unit__category__code__in=codes[1])
            o = o.filter(unit__category__code__in=codes[1])
        return {
            "clues": r.filter(found_at__gte=_local(start), found_at__lt=_local(next_first)).count(),
            "patrols": p.filter(started_at__gte=_local(start), started_at__lt=_local(next_first)).count(),
            "publicity": o.filter(date__gte=start, date__lt=next_first).count(),
        }

    figures = monthly_figures(comanager_in, township=township, year=year, month=month, today=today)
    # A fixed number of queries, however many records the month holds.
    assert (
        count_queries(lambda: monthly_figures(comanager_in, township=township, year=year, month=month, today=today))
        <= 12
    )
    rows = {r.key: r for r in figures.rows}
    expected_total = {"month": counts(None, first), "year": counts(None, jan1)}
    mapped = {"month": dict.fromkeys(expected_total["month"], 0), "year": dict.fromkeys(expected_total["year"], 0)}
    for key, codes in EXPECTED_ROWS.items():
        for period, start, index in (("month", first, 0), ("year", jan1, 1)):
            expected = counts(codes, start)
            for column, value in expected.items():
                assert getattr(rows[key], column)[index] == value, (key, column, period)
                mapped[period][column] += value
    for period, index in (("month", 0), ("year", 1)):
        for column, value in expected_total[period].items():
            assert getattr(figures.total, column)[index] == value, ("total", column, period)
            assert getattr(rows["other"], column)[index] == value - mapped[period][column], ("other", column, period)
    # The demo month has records to count, so the comparison means something.
    assert figures.total.clues[1] > 0 and figures.total.patrols[0] > 0

    # 巡查覆盖率 is the inspections app's own figure, not a second formula.
    coverage = patrol_status(comanager_in, year=year, month=month, township=township, today=today).total
    assert (figures.coverage_done, figures.coverage_due) == (coverage.done, coverage.due)
    # 信息报告率 and 及时报告率 of the month, by hand.
    month_reports = reports.filter(found_at__gte=_local(first), found_at__lt=_local(next_first))
    reported = month_reports.filter(reported_at__isnull=False)
    timely = sum(1 for r in reported if r.reported_at <= r.deadline_at)
    assert (figures.report_rate.numerator, figures.report_rate.denominator) == (reported.count(), month_reports.count())
    assert (figures.timely_rate.numerator, figures.timely_rate.denominator) == (timely, reported.count())
    opinions = Opinion.objects.filter(
        area__path__startswith=path, issued_at__gte=_local(first), issued_at__lt=_local(next_first)
    )
    rectified = Reinspection.objects.filter(opinion__in=opinions, result="rectified").values("opinion").distinct()
    assert figures.opinions_issued == opinions.count()
    assert figures.opinions_rectified == rectified.count()

    # The county sees the same figures; a cell drills to exactly its records.
    county_view = monthly_figures(supervisor_of, township=township, year=year, month=month, today=today)
    assert county_view.as_json() == figures.as_json()
    drilled = cell_records(
        comanager_in, township=township, year=year, month=month, row="food_safety", column="patrols", period="month"
    )
    assert drilled.count() == rows["food_safety"].patrols[0]
    assert all(i.unit.category.code == "food" for i in drilled)
    other = cell_records(
        comanager_in, township=township, year=year, month=month, row="other", column="publicity", period="year"
    )
    assert other.count() == rows["other"].publicity[1]
    assert not other.filter(Q(unit__category__code__in=["food", "public_place"])).exists()
