import datetime

import pytest
from django.utils import timezone

from xieguan.monthly.models import MonthlyReport
from xieguan.monthly.selectors import reporting_rates


def test_demo_months_leave_one_township_missing_last_month(demo, county_admin):
    from xieguan.demo.monthly import MISSING_LAST_MONTH, load_monthly
    from xieguan.demo.outreach import load_outreach
    from xieguan.demo.units import load_units

    today = timezone.localdate()
    if today.month == 1:
        pytest.skip("no past month of this year to show")
    load_units(demo)
    load_outreach(demo)
    load_monthly(demo)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    rate = reporting_rates(county_admin, year=last.year, month=last.month)[0]
    assert [t.name for t in rate.missing] == [MISSING_LAST_MONTH]
    assert rate.submitted == rate.expected - 1
    # Publicity is counted in the stored figures of each version.
    report = MonthlyReport.objects.filter(township=demo.townships[0], month=last.month).get()
    stored = report.versions.get().figures["rows"]["total"]["publicity"]
    assert stored[1] >= stored[0] >= 0 and stored[1] > 0


@pytest.mark.parametrize(
    ("day", "start_day", "last"),
    [(datetime.date(2026, 12, 6), 1, 11), (datetime.date(2026, 12, 31), 1, 11), (datetime.date(2026, 12, 27), 26, 12)],
)
def test_the_demo_reports_only_months_whose_period_is_over(monkeypatch, demo, day, start_day, last):
    """The demo county never holds a submitted or approved report of a
    period still running (nor of the day it ends), and reports every period
    that is over (by the county's boundaries): its own records stay editable."""
    from xieguan.demo.monthly import load_monthly
    from xieguan.monthly.periods import rules_for
    from xieguan.monthly.tests.factories import county_rules, set_clock

    set_clock(monkeypatch, day)
    if start_day != 1:
        county_rules(demo.county, start_day=start_day)
    load_monthly(demo)
    rules = rules_for(demo.county)
    months = set(MonthlyReport.objects.values_list("year", "month"))
    assert months == {(2026, m) for m in range(1, last + 1)}
    assert all(rules.period(*month).last_day < day for month in months)
