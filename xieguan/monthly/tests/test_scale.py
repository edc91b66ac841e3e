"""Issue 22, province scale: patrol coverage is counted by the database
(each unit held to its own county's reporting periods), costs the same
number of queries for 1 township or 6, 1 county or 2; and a month counts
in the reporting rates only once its report is due."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.areas.models import Area, Level
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.selectors import patrol_status
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.selectors import reporting_rates
from xieguan.monthly.tests.factories import county_rules

OLD = datetime.date(2020, 1, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _coverage(user, township, **kwargs):
    view = patrol_status(user, rows=False, **kwargs)
    found = next(c for c in view.coverage if c.township == township)
    return found.due, found.done, found.overdue


def _county(demo, n: int) -> Area:
    county = Area(parent=demo.prefecture, name=f"新县{n}", level=Level.COUNTY, code=f"9902{n:02d}000000")
    county.save()
    return county


def _township(county: Area, n: int) -> Area:
    township = Area(
        parent=county, name=f"{county.name}镇{n}", level=Level.TOWNSHIP, code=f"{county.code[:6]}{n:03d}000"
    )
    township.save()
    Institution.objects.create(
        name=f"{township.name}协管站", type=InstitutionType.STATION, area=township, opened_on=OLD
    )
    return township


@pytest.fixture
def two_calendars(demo, township, comanager_in):
    return _two_calendars(demo, township, comanager_in)


def _two_calendars(demo, township, comanager_in):
    """The demo county's months run from the 26th (May = 26 Apr – 25 May,
    Q2 = 26 Mar – 25 Jun); a second county keeps the calendar. In 城关镇:
    k1  key, patrolled 28 Apr      → May: done (inside 26 Apr – 25 May)
    k2  key, patrolled 25 Apr      → May: not done (that is April's period)
    q1  quarterly, patrolled 27 Mar → done for Q2 (26 Mar – 25 Jun)
    q2  quarterly, never            → due in Q2
    o1  opened 27 May              → not in May's period: not counted
    In the calendar county's township, o2 opened 27 May counts in May."""
    if not demo.county.period_rules.exists():
        county_rules(demo.county, start_day=26)
    other = _county(demo, 1)
    other_township = _township(other, 1)
    pair = [comanager_in, demo.users["cg2"]]
    units = {
        "k1": plain_unit(township, name="规模甲", is_key_unit=True, opened_on=OLD),
        "k2": plain_unit(township, name="规模乙", is_key_unit=True, opened_on=OLD),
        "q1": plain_unit(township, name="规模丙", opened_on=OLD),
        "q2": plain_unit(township, name="规模丁", opened_on=OLD),
        "o1": plain_unit(township, name="规模戊", opened_on=datetime.date(2026, 5, 27)),
        "o2": plain_unit(other_township, name="规模己", opened_on=datetime.date(2026, 5, 27)),
    }
    submitted(comanager_in, units["k1"], inspectors=pair, at=at(datetime.date(2026, 4, 28)))
    submitted(comanager_in, units["k2"], inspectors=pair, at=at(datetime.date(2026, 4, 25)))
    submitted(comanager_in, units["q1"], inspectors=pair, at=at(datetime.date(2026, 3, 27)))
    return other_township


def test_coverage_follows_each_countys_periods_against_a_hand_count(demo, township, two_calendars):
    city = demo.users["city"]  # the prefecture: both counties, each with its own months
    may_20, june_10 = datetime.date(2026, 5, 20), datetime.date(2026, 6, 10)
    view = patrol_status(city, year=2026, month=5, today=may_20)
    states = {r.unit.name: (r.state, r.window_start, r.window_end) for r in view.rows if r.unit.name[:2] == "规模"}
    assert states == {
        "规模甲": ("done", datetime.date(2026, 4, 26), datetime.date(2026, 5, 25)),
        "规模乙": ("due", datetime.date(2026, 4, 26), datetime.date(2026, 5, 25)),
        "规模丙": ("done", datetime.date(2026, 3, 26), datetime.date(2026, 6, 25)),
        "规模丁": ("due", datetime.date(2026, 3, 26), datetime.date(2026, 6, 25)),
        "规模己": ("due", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
    }
    # The aggregate agrees with the hand count of the other township (o2 alone) …
    assert _coverage(city, two_calendars, year=2026, month=5, today=may_20) == (1, 0, 0)
    # … and with the units' own rows, township by township, whoever asks.
    for user in (city, demo.users["bureau"]):
        full = patrol_status(user, year=2026, month=5, today=june_10)
        for cov in full.coverage:
            mine = [r for r in full.rows if r.unit.area.path.startswith(cov.township.path)]
            assert (cov.due, cov.done, cov.overdue) == (
                len(mine),
                sum(r.state == "done" for r in mine),
                sum(r.state == "overdue" for r in mine),
            ), cov.township.name
    # After May's period ended k2 is overdue; q2's quarter runs to 25 June.
    late = {r.unit.name: r.state for r in patrol_status(city, year=2026, month=5, today=june_10).rows}
    assert (late["规模乙"], late["规模丁"]) == ("overdue", "due")


def test_coverage_of_a_township_is_its_units_counted_by_hand(demo, township, comanager_in):
    """The units added to 城关镇 add exactly (4 due, 2 done, 0 overdue) to its figure in May."""
    may_20 = datetime.date(2026, 5, 20)
    county_rules(demo.county, start_day=26)
    before = _coverage(comanager_in, township, year=2026, month=5, today=may_20)
    _two_calendars(demo, township, comanager_in)
    after = _coverage(comanager_in, township, year=2026, month=5, today=may_20)
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == (4, 2, 0)


def test_patrol_queries_do_not_grow_with_townships_or_counties(demo, county_admin):
    city = demo.users["city"]
    today = datetime.date(2026, 5, 20)

    def queries(user):
        with CaptureQueriesContext(connection) as ctx:
            patrol_status(user, year=2026, month=5, today=today, rows=False)
        return len(ctx.captured_queries)

    before = queries(county_admin), queries(city)
    for n in range(5):  # five more townships with units in the demo county
        plain_unit(_township(demo.county, 300 + n), name=f"增镇{n}", opened_on=OLD)
    other = _county(demo, 2)  # and a county with its own months
    county_rules(other, start_day=26)
    plain_unit(_township(other, 1), name="增县单位", opened_on=OLD)
    assert (queries(county_admin), queries(city)) == before == (4, 4)


def test_due_page_queries_do_not_grow_with_the_townships(demo, login, county_admin):
    client = login(county_admin)
    url = reverse("inspections:due")
    assert client.get(url).status_code == 200

    def grow():
        for n in range(5):
            plain_unit(_township(demo.county, 310 + n), name=f"页镇{n}", opened_on=OLD)

    # The session and user (and the middleware's), the county's period
    # today; then the start days, the frequency rules, the one aggregate,
    # the townships and the first 300 units.
    assert_constant_queries(lambda: client.get(url), grow, exactly=14)


# ---------------------------------------------------------------- a month counts once it is due


def test_a_month_counts_in_the_reporting_rates_only_once_due(demo, county_admin, township):
    """On 6 December 2026 (deadline day 23): December's report is not due
    (its period has not even ended), November's is due on 23 December, so
    neither counts; October's deadline has passed and it counts."""
    december_6 = datetime.date(2026, 12, 6)
    for month in (11, 12):
        rate = reporting_rates(county_admin, year=2026, month=month, today=december_6)[0]
        assert not rate.due and (rate.expected, rate.submitted, rate.missing) == (0, 0, [])
        assert rate.rate.percent is None
    october = reporting_rates(county_admin, year=2026, month=10, today=december_6)[0]
    assert october.due and october.expected == len(demo.townships)
    assert october.deadline == datetime.date(2026, 11, 23)
    # Without a day (the review page), the month is counted as before.
    assert reporting_rates(county_admin, year=2026, month=12)[0].expected == len(demo.townships)


def test_the_countys_deadline_day_decides_when_a_month_is_due(demo, county_admin, township):
    county_rules(demo.county, start_day=1, deadline_day=5)
    MonthlyReport.objects.create(
        township=township,
        year=2026,
        month=11,
        status=MonthlyStatus.SUBMITTED,
        on_time=True,
        deadline=datetime.date(2026, 12, 5),
    )
    assert not reporting_rates(county_admin, year=2026, month=11, today=datetime.date(2026, 12, 5))[0].due
    rate = reporting_rates(county_admin, year=2026, month=11, today=datetime.date(2026, 12, 6))[0]
    assert rate.due and (rate.expected, rate.submitted, rate.on_time) == (len(demo.townships), 1, 1)
    assert township not in rate.missing and len(rate.missing) == len(demo.townships) - 1


def test_rates_page_shows_a_month_not_yet_due_as_such(demo, login, county_admin):
    text = login(county_admin).get(reverse("monthly:rates")).text
    # The current month's report is never due yet: it is not shown as 0% with every township missing.
    assert "未到上报截止日" in text
    today = timezone.localdate()
    row = text.split(f"{today.year}年{today.month}月</a>")[1].split("</tr>")[0]
    assert "未到上报截止日" in row and "0.0%" not in row and "/monthly/" not in row.split("未到上报截止日")[1]
