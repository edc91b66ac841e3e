"""Both rates against counts made by hand, on a fixture and on the demo."""

import datetime
from decimal import Decimal

import pytest

from xieguan.core.testing import count_queries
from xieguan.reports.models import Report, ReportStatus, ZeroReport
from xieguan.reports.selectors import (
    MISSING,
    REPORTS,
    ZERO,
    period_bounds,
    report_indicators,
    zero_report_grid,
)
from xieguan.reports.tests.factories import at, make_report


@pytest.fixture
def may(demo):
    """May 2026, counted by hand:

    李家村 (cun1): 3 found — food 1 h after (on time), food 30 h after
    (late, limit 24 h), foodborne 3 h after (late, limit 2 h).
    王庄村: 1 found, closed without forwarding (not reported).
    城关镇 itself (cg1): 1 found, drinking water 90 min after (on time).
    河东镇 (dh1): 1 found, on time. Plus one 李家村 report found in June.

    城关镇: found 5, reported 4, timely 2 → 80.0 %, 50.0 %.
    李家村: found 3, reported 3, timely 1 → 100.0 %, 33.3 %.
    County: found 6, reported 5, timely 3 → 83.3 %, 60.0 %.
    """
    cun1, cg1, dh1 = demo.users["cun1"], demo.users["cg1"], demo.users["dh1"]
    lijia, wangzhuang = demo.villages[1], demo.villages[2]
    make_report(area=lijia, by=cun1, found_at=at(2026, 5, 2), reached_after=60)
    make_report(area=lijia, by=cun1, found_at=at(2026, 5, 9), reached_after=30 * 60)
    make_report(area=lijia, by=cun1, found_at=at(2026, 5, 20), code="foodborne", reached_after=180)
    make_report(
        area=wangzhuang,
        by=cg1,
        found_at=at(2026, 5, 21),
        status=ReportStatus.NOT_FORWARDED,
        closing_reason="无需上报",
    )
    make_report(area=demo.townships[0], by=cg1, found_at=at(2026, 5, 28), code="drinking_water", reached_after=90)
    make_report(area=demo.townships[1], by=dh1, found_at=at(2026, 5, 3), reached_after=10)
    make_report(area=lijia, by=cun1, found_at=at(2026, 6, 1), reached_after=10)


def rates(row):
    return (row.found, row.reported, row.timely, row.report_rate.percent, row.timely_rate.percent)


def test_rates_of_a_township_and_its_villages_against_a_hand_count(demo, may):
    start, end = period_bounds(2026, 5)
    total, rows = report_indicators(demo.users["cg1"], area=demo.townships[0], start=start, end=end)
    assert rates(total) == (5, 4, 2, Decimal("80.0"), Decimal("50.0"))
    by_name = {r.area.name: r for r in rows}
    assert rates(by_name["李家村"]) == (3, 3, 1, Decimal("100.0"), Decimal("33.3"))
    assert rates(by_name["王庄村"]) == (1, 0, 0, Decimal("0.0"), None)
    assert rates(by_name["城关镇"]) == (1, 1, 1, Decimal("100.0"), Decimal("100.0"))  # its own
    assert by_name["城北社区居委会"].found == 0 and by_name["城北社区居委会"].report_rate.percent is None


def test_county_rates_against_a_hand_count_and_scope(demo, may):
    start, end = period_bounds(2026, 5)
    total, rows = report_indicators(demo.users["bureau"], area=demo.county, start=start, end=end)
    assert rates(total) == (6, 5, 3, Decimal("83.3"), Decimal("60.0"))
    by_name = {r.area.name: r for r in rows}
    assert rates(by_name["河东镇"]) == (1, 1, 1, Decimal("100.0"), Decimal("100.0"))
    # dh1 asking about the county sees only its own township's report.
    total_dh1, _rows = report_indicators(demo.users["dh1"], area=demo.county, start=start, end=end)
    assert rates(total_dh1) == (1, 1, 1, Decimal("100.0"), Decimal("100.0"))


def test_the_year_counts_june_too(demo, may):
    start, end = period_bounds(2026)
    total, _ = report_indicators(demo.users["cg1"], area=demo.townships[0], start=start, end=end)
    assert (total.found, total.reported, total.timely) == (6, 5, 3)


def test_indicators_cost_the_same_queries_however_many_reports(demo, may):
    start, end = period_bounds(2026)
    before = count_queries(lambda: report_indicators(demo.users["bureau"], area=demo.county, start=start, end=end))
    for day in range(1, 20):
        make_report(area=demo.villages[3], by=demo.users["dh1"], found_at=at(2026, 7, day), reached_after=5)
    after = count_queries(lambda: report_indicators(demo.users["bureau"], area=demo.county, start=start, end=end))
    assert before == after <= 3


def test_zero_report_grid_tells_nothing_happened_from_nobody_reported(demo, may):
    station = demo.stations[0]
    ZeroReport.objects.create(
        institution=station, area=station.area, month=datetime.date(2026, 4, 1), made_by=demo.users["cg1"]
    )
    rows = zero_report_grid(demo.users["cg1"], year=2026, today=datetime.date(2026, 7, 15))
    assert [r.station for r in rows] == [station]
    states = rows[0].states
    assert states[3] == ZERO and states[4] == REPORTS and rows[0].counts[4] == 5
    assert states[2] == MISSING and states[5] == REPORTS and states[6] == "open" and states[7] == "future"
    assert rows[0].missing == 3  # January, February, March


# ---------------------------------------------------------------- the demo


def test_demo_first_township_rates_match_the_hand_count_in_its_docstring(demo):
    from xieguan.demo.reports import load_reports

    load_reports(demo)
    start, _ = period_bounds(2026, 1)
    _, end = period_bounds(2026, 10)
    total, rows = report_indicators(demo.users["bureau"], area=demo.townships[0], start=start, end=end)
    assert rates(total) == (8, 7, 5, Decimal("87.5"), Decimal("71.4"))
    by_name = {r.area.name: r for r in rows}
    assert rates(by_name["李家村"]) == (3, 3, 3, Decimal("100.0"), Decimal("100.0"))
    assert rates(by_name["王庄村"]) == (2, 2, 1, Decimal("100.0"), Decimal("50.0"))


def test_demo_county_rates_equal_a_count_of_its_reports(demo):
    from xieguan.demo.reports import load_reports

    load_reports(demo)
    start, end = period_bounds(2026)
    total, rows = report_indicators(demo.users["bureau"], area=demo.county, start=start, end=end)
    every = [r for r in Report.objects.all() if start <= r.found_at < end]
    found = len(every)
    reported = sum(1 for r in every if r.reported_at is not None)
    timely = sum(1 for r in every if r.reported_at is not None and r.reported_at <= r.deadline_at)
    assert (total.found, total.reported, total.timely) == (found, reported, timely)
    assert found > 50 and 0 < found - reported and 0 < reported - timely
    assert sum(r.found for r in rows) == found


def test_demo_has_an_emergency_late_reports_and_a_station_that_did_not_report(demo):
    from xieguan.demo.reports import load_reports

    load_reports(demo)
    assert Report.objects.filter(is_emergency=True, category__code="foodborne", affected_count=12).count() == 1
    rows = {r.station.area.name: r for r in zero_report_grid(demo.users["bureau"], year=2026)}
    assert rows["石桥镇"].states[6] == MISSING
    assert rows["城关镇"].states[1] == ZERO and rows["城关镇"].states[6] == ZERO
