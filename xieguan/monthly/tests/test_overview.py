"""The county overview of a month: figures against a hand count for 城关镇,
scope (inside, above, beside, the prefecture), sorting, the drill-downs and
the number of queries whatever the number of townships."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.accounts.models import Institution, InstitutionType
from xieguan.areas.models import Area, Level
from xieguan.core.testing import assert_constant_queries, count_queries
from xieguan.inspections.models import Opinion, Reinspection, ReinspectionResult
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.overview import month_overview, sorted_rows
from xieguan.outreach.models import Attendance
from xieguan.outreach.tests.factories import make_outreach, make_training
from xieguan.reports.tests.factories import make_report
from xieguan.units.models import Unit, UnitStatus
from xieguan.units.tests.factories import make_unit

YEAR, MONTH = 2026, 5
OLD = datetime.date(2020, 1, 1)


def at(day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(YEAR, MONTH, day, hour))


def overview_url(**query: object) -> str:
    query = {"year": YEAR, "month": MONTH, **query}
    return reverse("monthly:overview") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.fixture
def month(demo, township, sibling_township, comanager_in, county_admin):
    """城关镇 in May 2026, counted by hand:

    units      甲 complete (make_unit), 乙 丙 incomplete, 丁 closed 2026-03-01
               → filing 1/3; all quarterly and existing in May except 丁
    patrols    乙 on 5 May → coverage 1/3
    reports    3 found in May: one reached in 10 min, one 2 days late, one
               not reported → report rate 2/3, timely 1/2
    opinions   2 issued in May on 乙, one rectified → 1/2
    publicity  2 in 城关镇, 1 in its village 李家村, 1 in April → 3
    training   1 in May with 2 sign-ins → 1 training, 2 people
    report     submitted on time → on_time
    河东镇 gets one report and one publicity record, which 城关镇 never counts.
    """
    cg2 = demo.users["cg2"]
    complete = make_unit(county_admin, township)
    second = plain_unit(township, name="乙", opened_on=OLD)
    plain_unit(township, name="丙", opened_on=OLD)
    plain_unit(township, name="丁", opened_on=OLD, closed_on=datetime.date(2026, 3, 1), status=UnitStatus.CLOSED)
    Unit.objects.filter(pk=complete.pk).update(opened_on=OLD)
    inspection = submitted(comanager_in, second, inspectors=[comanager_in, cg2], at=at(5))

    make_report(area=township, by=comanager_in, found_at=at(3), reached_after=10)
    make_report(area=township, by=comanager_in, found_at=at(4), reached_after=60 * 48)
    make_report(area=township, by=comanager_in, found_at=at(6))
    make_report(area=sibling_township, by=demo.users["dh1"], found_at=at(6), reached_after=10)

    for serial in (1, 2):
        opinion = Opinion.objects.create(
            inspection=inspection,
            unit=second,
            area=township,
            county=demo.county,
            year=YEAR,
            serial=900 + serial,
            number=f"示卫协意〔2026〕{900 + serial}号",
            text="请办理健康证",
            deadline=datetime.date(YEAR, MONTH, 20),
            issued_at=at(5, 11),
            issued_by=comanager_in,
        )
    Reinspection.objects.create(
        opinion=opinion,
        area=township,
        inspected_at=at(21),
        result=ReinspectionResult.RECTIFIED,
        recorded_by=comanager_in,
    )

    village = Area.objects.get(parent=township, name="李家村")
    make_outreach(area=township, by=comanager_in, date=datetime.date(YEAR, MONTH, 8))
    make_outreach(area=township, by=comanager_in, date=datetime.date(YEAR, MONTH, 31))
    make_outreach(area=village, by=comanager_in, date=datetime.date(YEAR, MONTH, 15))
    make_outreach(area=township, by=comanager_in, date=datetime.date(YEAR, 4, 30))
    make_outreach(area=sibling_township, by=demo.users["dh1"], date=datetime.date(YEAR, MONTH, 9))
    training = make_training(area=township, by=comanager_in, date=datetime.date(YEAR, MONTH, 12))
    for person in (comanager_in, cg2):
        Attendance.objects.create(training=training, person=person, signed_at=at(12), method="registered")

    MonthlyReport.objects.create(
        township=township,
        year=YEAR,
        month=MONTH,
        status=MonthlyStatus.SUBMITTED,
        deadline=datetime.date(YEAR, 6, 23),
        submitted_at=timezone.make_aware(datetime.datetime(YEAR, 6, 20, 9)),
        submitted_by=comanager_in,
        on_time=True,
    )
    return demo


def test_figures_of_a_township_match_the_hand_count(month, township, sibling_township, county_admin):
    data = month_overview(county_admin, area=month.county, year=YEAR, month=MONTH, today=datetime.date(2026, 11, 1))
    rows = {r.area.name: r for r in data.rows}
    assert len(rows) == 10
    row = rows[township.name]
    assert (row.complete, row.units) == (1, 3)
    assert (row.patrolled, row.due) == (1, 3)
    assert (row.reported, row.found) == (2, 3)
    assert (row.timely, row.reported) == (1, 2)
    assert (row.rectified, row.opinions) == (1, 2)
    assert (row.publicity, row.publicity_quarter, row.publicity_state) == (3, 4, "done")
    assert (row.trainings, row.trained) == (1, 2)
    assert row.state == "on_time"
    beside = rows[sibling_township.name]
    assert (beside.found, beside.reported, beside.publicity, beside.units, beside.state) == (1, 1, 1, 0, "missing")
    # The total is the sum, and the county's own report counts once.
    total = data.total
    assert (total.found, total.reported, total.publicity, total.opinions) == (4, 3, 4, 2)
    assert (total.submitted, total.expected) == (1, 10)
    for r in [*data.rows, total]:
        for rate in (r.filing_rate, r.coverage_rate, r.report_rate, r.timely_rate, r.rectified_rate):
            assert rate.percent is None or rate.percent <= 100


def test_bureau_sees_every_township_with_formulas_and_drill_downs(month, login, county_admin, township):
    response = login(county_admin).get(overview_url())
    assert response.status_code == 200
    text = response.text
    assert text.count(' data-area="') == 11  # ten townships and the total
    row = re.search(rf'<tr data-area="{township.name}">(.*?)</tr>', text, re.S).group(1)
    assert "33.3%" in row and "1/3" in row  # filing and coverage
    assert "66.7%" in row and "2/3" in row  # report rate
    assert "50.0%" in row and "1/2" in row  # timely, rectified
    assert reverse("monthly:cell", args=[township.pk, YEAR, MONTH, "total", "publicity", "month"]) in row
    assert f"/inspections/due/?township={township.pk}&amp;year={YEAR}&amp;month={MONTH}" in row
    assert reverse("monthly:overview_drill", args=[township.pk, YEAR, MONTH, "opinions"]) in row
    assert "按时上报" in row
    # The formula on hover and in the legend for phones.
    assert 'title="建档率 = ' in text and 'id="formulas"' in text
    # A township with nothing to count shows "—", never 0 % or 100 %.
    empty = re.search(r'<tr data-area="杨庄乡">(.*?)</tr>', text, re.S).group(1)
    assert "—" in empty and "100.0%" not in empty and "0.0%" not in empty


def test_sorting_by_a_column_keeps_the_month_and_puts_empty_figures_last(month, login, county_admin, township):
    response = login(county_admin).get(overview_url(sort="report", dir="desc"))
    names = re.findall(r'<tr(?: class="total")? data-area="([^"]+)">', response.text)
    # Only 城关镇 (66.7%) and 河东镇 (100%) have reports; the rest show "—".
    assert names[:2] == ["河东镇", township.name]
    assert names[-1] == "total"
    assert f"?year={YEAR}&amp;month={MONTH}&amp;sort=report&amp;dir=asc" in response.text
    ascending = login(county_admin).get(overview_url(sort="report", dir="asc"))
    assert re.findall(r'<tr(?: class="total")? data-area="([^"]+)">', ascending.text)[:2] == [township.name, "河东镇"]


def test_sorted_rows_with_unknown_sort_keep_the_area_order(month, county_admin):
    data = month_overview(county_admin, area=month.county, year=YEAR, month=MONTH, today=datetime.date(2026, 11, 1))
    assert sorted_rows(data.rows, sort="nonsense", descending=False) == data.rows


def test_prefecture_sees_its_counties_and_drills_into_one(month, login):
    city = login(month.users["city"])
    response = city.get(overview_url())
    assert response.status_code == 200
    assert re.findall(r'<tr(?: class="total")? data-area="([^"]+)">', response.text) == ["示范县", "total"]
    row = re.search(r'<tr data-area="示范县">(.*?)</tr>', response.text, re.S).group(1)
    assert "3/4" in row  # reports reached the county ÷ found, both townships
    assert "1/10" in row  # monthly reports submitted ÷ expected
    drilled = city.get(overview_url(area=month.county.pk))
    assert drilled.status_code == 200 and drilled.text.count(' data-area="') == 11


def test_township_users_are_sent_to_their_own_report(month, login, comanager_in, outsider, township, sibling_township):
    response = login(comanager_in).get(overview_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("monthly:report", args=[township.pk, YEAR, MONTH])
    beside = login(outsider).get(overview_url())
    assert beside["Location"] == reverse("monthly:report", args=[sibling_township.pk, YEAR, MONTH])
    # Beside: nothing of 城关镇, nor the county's overview.
    assert login(outsider).get(overview_url(area=month.county.pk)).status_code == 404
    drill = reverse("monthly:overview_drill", args=[township.pk, YEAR, MONTH, "opinions"])
    assert login(outsider).get(drill).status_code == 404


def test_a_township_is_not_an_overview_area_and_bad_months_are_not_errors(month, login, county_admin, township):
    client = login(county_admin)
    assert client.get(overview_url(area=township.pk)).status_code == 404
    assert client.get(overview_url(area="nonsense")).status_code == 404
    # A bad month falls back to the month due now, with the form showing it.
    assert client.get(reverse("monthly:overview") + "?year=abc&month=13").status_code == 200
    assert client.get(reverse("monthly:overview_drill", args=[township.pk, YEAR, 13, "opinions"])).status_code == 404
    assert client.get(reverse("monthly:overview_drill", args=[township.pk, YEAR, MONTH, "bogus"])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("comanager_in", 200), ("county_admin", 200), ("outsider", 404)])
def test_drill_downs_list_the_records_behind_the_figure(request, month, login, township, who, status):
    client = login(request.getfixturevalue(who))
    opinions = client.get(reverse("monthly:overview_drill", args=[township.pk, YEAR, MONTH, "opinions"]))
    assert opinions.status_code == status
    if status == 200:
        assert opinions.text.count('data-rectified="1"') == 1 and opinions.text.count('data-rectified="0"') == 1
        trainings = client.get(reverse("monthly:overview_drill", args=[township.pk, YEAR, MONTH, "trainings"]))
        assert "协管业务培训" in trainings.text


def _grow_townships(county: Area, n: int) -> None:
    for i in range(n):
        area = Area(parent=county, name=f"新镇{i}", level=Level.TOWNSHIP, code=f"990101{300 + i:03d}000")
        area.save()
        Institution.objects.create(
            name=f"新镇{i}卫生监督协管站", type=InstitutionType.STATION, area=area, opened_on=OLD
        )
        plain_unit(area, name=f"新镇{i}饭店", opened_on=OLD)


def test_overview_queries_do_not_grow_with_the_townships(month, login, county_admin, django_assert_max_num_queries):
    client = login(county_admin)
    with django_assert_max_num_queries(30):
        assert client.get(overview_url()).status_code == 200
    assert_constant_queries(lambda: client.get(overview_url()), lambda: _grow_townships(month.county, 15), most=30)
    assert client.get(overview_url()).text.count(' data-area="') == 26


def test_prefecture_queries_grow_only_with_the_counties(month, login, django_assert_max_num_queries):
    client = login(month.users["city"])
    with django_assert_max_num_queries(30):
        assert client.get(overview_url()).status_code == 200
    before = count_queries(lambda: client.get(overview_url()))
    _grow_townships(month.county, 12)
    assert count_queries(lambda: client.get(overview_url())) == before


def test_county_and_home_link_to_the_overview(month, login, county_admin, comanager_in):
    client = login(county_admin)
    assert reverse("monthly:overview") in client.get(reverse("monthly:review")).text
    home = client.get(reverse("core:home")).text
    assert 'id="home-overview"' in home
    assert 'id="home-overview"' not in login(comanager_in).get(reverse("core:home")).text
