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
    # The split rows: each part's 报告事件线索数 by the report's nature, by hand;
    # the parts add up to their row, and each part cell drills to exactly
    # the reports it counts.
    split_rows = [k for k in EXPECTED_ROWS if k not in ("illegal_practice", "family_planning")]
    assert not rows["illegal_practice"].parts and not rows["family_planning"].parts and not rows["other"].parts
    natures_seen = set()
    for key in split_rows:
        assert [p.nature for p in rows[key].parts] == ["hazard", "violation"], key
        for part in rows[key].parts:
            for period, start, index in (("month", first, 0), ("year", jan1, 1)):
                by_hand = reports.filter(
                    category__code__in=EXPECTED_ROWS[key][0],
                    nature=part.nature,
                    found_at__gte=_local(start),
                    found_at__lt=_local(next_first),
                )
                assert part.clues[index] == by_hand.count(), (part.key, period)
                drilled_part = cell_records(
                    comanager_in,
                    township=township,
                    year=year,
                    month=month,
                    row=part.key,
                    column="clues",
                    period=period,
                )
                assert sorted(r.pk for r in drilled_part) == sorted(r.pk for r in by_hand), (part.key, period)
                if part.clues[index]:
                    natures_seen.add(part.nature)
        for index in (0, 1):
            assert sum(p.clues[index] for p in rows[key].parts) == rows[key].clues[index], key
    # The demo year has both natures in the split rows, so the split is tested.
    assert natures_seen == {"hazard", "violation"}
    # A part row has no patrol or publicity cell of its own (printed across both parts).
    import pytest

    with pytest.raises(ValueError):
        cell_records(
            comanager_in,
            township=township,
            year=year,
            month=month,
            row="food_safety-hazard",
            column="patrols",
            period="month",
        )
    kept = figures.as_json()["rows"]
    assert kept["food_safety"]["parts"]["violation"]["clues"] == rows["food_safety"].part("violation").clues
    assert "parts" not in kept["illegal_practice"] and "parts" not in kept["total"]

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


def test_county_period_boundaries_move_records_between_months(demo, township, comanager_in):
    """With periods from the 26th, an outreach of 27 October counts in
    November's report, not October's; the year starts on 26 December."""
    import datetime as dt

    from xieguan.monthly.tests.factories import county_rules
    from xieguan.outreach.tests.factories import make_outreach

    today = timezone.localdate()
    year = today.year - 1  # a whole past year, whatever today is
    for day in (dt.date(year, 10, 25), dt.date(year, 10, 27), dt.date(year - 1, 12, 28), dt.date(year, 11, 26)):
        make_outreach(area=township, by=comanager_in, date=day)
    calendar = monthly_figures(comanager_in, township=township, year=year, month=10, today=today)
    assert calendar.total.publicity == [2, 2]
    county_rules(demo.county, start_day=26, deadline_day=28)
    october = monthly_figures(comanager_in, township=township, year=year, month=10, today=today)
    november = monthly_figures(comanager_in, township=township, year=year, month=11, today=today)
    assert october.total.publicity == [1, 2]  # 25 Oct; the year from 26 Dec holds 28 Dec too
    assert november.total.publicity == [1, 3]  # 27 Oct; 26 Nov is December's
    drilled = cell_records(
        comanager_in, township=township, year=year, month=11, row="total", column="publicity", period="month"
    )
    assert [o.date for o in drilled] == [dt.date(year, 10, 27)]
    assert november.as_json()["period"] == [f"{year}-10-26", f"{year}-11-25"]
