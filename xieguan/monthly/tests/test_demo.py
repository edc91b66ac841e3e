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
