import datetime

from xieguan.complaints.calendar import WorkCalendar, add_working_days
from xieguan.complaints.models import CalendarOverride

D = datetime.date


def test_national_day_2026_fifteen_working_days_from_30_september(demo):
    # The official 2026 schedule (State Council, as chinesecalendar 1.11.0
    # holds it): 1-7 October off; Saturday 10 October is a make-up working
    # day. Filed Wednesday 30 September, the day itself not counted:
    #   8 Oct (1), 9 (2), Sat 10 (3), 12 (4), 13 (5), 14 (6), 15 (7), 16 (8),
    #   19 (9), 20 (10), 21 (11), 22 (12), 23 (13), 26 (14), 27 (15).
    assert add_working_days(demo.county, D(2026, 9, 30), 15) == D(2026, 10, 27)


def test_make_up_saturday_counts_and_plain_saturday_does_not(demo):
    cal = WorkCalendar(demo.county)
    assert cal.is_workday(D(2026, 10, 10))  # 调休
    assert not cal.is_workday(D(2026, 10, 17))
    assert not cal.is_workday(D(2026, 10, 1))


def test_county_override_moves_the_deadline(demo):
    # The county rests on Monday 26 October (a local holiday): one day later.
    CalendarOverride.objects.create(county=demo.county, date=D(2026, 10, 26), is_workday=False)
    assert add_working_days(demo.county, D(2026, 9, 30), 15) == D(2026, 10, 28)


def test_override_for_a_year_the_library_does_not_know(demo):
    # chinesecalendar has no schedule for 2099: weekdays work unless the county says.
    start = D(2099, 1, 1)  # a Thursday
    assert add_working_days(demo.county, start, 1) == D(2099, 1, 2)
    CalendarOverride.objects.create(county=demo.county, date=D(2099, 1, 2), is_workday=False)
    CalendarOverride.objects.create(county=demo.county, date=D(2099, 1, 3), is_workday=True)  # a Saturday
    assert add_working_days(demo.county, start, 1) == D(2099, 1, 3)


def test_zero_days_is_the_start_and_other_counties_are_unaffected(demo):
    assert add_working_days(demo.county, D(2026, 10, 1), 0) == D(2026, 10, 1)
    CalendarOverride.objects.create(county=demo.county, date=D(2026, 10, 8), is_workday=False)
    assert add_working_days(None, D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert WorkCalendar(demo.county).working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 3
