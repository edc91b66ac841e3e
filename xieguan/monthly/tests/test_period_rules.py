"""Periods that close before they lock (issue 20 item 1): a month's report
can be submitted from its period's last day on, approval locks the records
of the period only once it is over, so a record made today always belongs
to an open period; 巡查覆盖率 and the patrol windows follow the county's
periods. Each test sets the clock to the day it tells of."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.selectors import current_month, due_this_month, patrol_register, patrol_status
from xieguan.inspections.tests.factories import draft, plain_unit, submitted
from xieguan.monthly import services
from xieguan.monthly.locks import assert_month_open
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.periods import rules_for
from xieguan.monthly.selectors import monthly_figures
from xieguan.monthly.tests.factories import county_rules, set_clock
from xieguan.outreach import services as outreach_services

D = datetime.date
LOCKED = "已审核并锁定"
PUBLICITY = {"place": "卫生院", "form": "consultation", "theme": "饮水安全"}


def submit(actor, township, year, month):
    return services.monthly_report_submit(actor=actor, township=township, year=year, month=month)


# ---------------------------------------------------------------- submitting


def test_december_cannot_be_submitted_on_6_december(monkeypatch, demo, township, comanager_in):
    set_clock(monkeypatch, D(2026, 12, 6))
    with pytest.raises(ValidationError) as exc:
        submit(comanager_in, township, 2026, 12)
    assert exc.value.message_dict["month"] == [
        "2026年12月月报的统计周期为2026年12月1日至2026年12月31日，待本周期记录齐全，自2026年12月31日起方可上报。"
    ]
    assert not MonthlyReport.objects.exists()
    set_clock(monkeypatch, D(2026, 12, 30), hour=23)
    with pytest.raises(ValidationError):
        submit(comanager_in, township, 2026, 12)
    set_clock(monkeypatch, D(2026, 12, 31), hour=8)
    report, created = submit(comanager_in, township, 2026, 12)
    assert created and report.status == MonthlyStatus.SUBMITTED and report.on_time


def test_with_periods_from_the_26th_december_can_be_submitted_from_25_december(
    monkeypatch, demo, township, comanager_in
):
    county_rules(demo.county, start_day=26, deadline_day=28)
    set_clock(monkeypatch, D(2026, 12, 24))
    with pytest.raises(ValidationError) as exc:
        submit(comanager_in, township, 2026, 12)
    assert "统计周期为2026年11月26日至2026年12月25日" in str(exc.value)
    assert "自2026年12月25日起方可上报" in str(exc.value)
    set_clock(monkeypatch, D(2026, 12, 25))
    report, _created = submit(comanager_in, township, 2026, 12)
    assert report.deadline == D(2026, 12, 28)
    # On 26 December January's period has begun; it cannot be reported until 25 January.
    set_clock(monkeypatch, D(2026, 12, 26))
    with pytest.raises(ValidationError, match="2027年1月25日"):
        submit(comanager_in, township, 2027, 1)


# ---------------------------------------------------------------- locking


def test_approval_on_the_last_day_leaves_that_days_records_open(
    monkeypatch, demo, township, comanager_in, supervisor_of
):
    """Submitted and approved on 31 December: the rest of the day's work goes
    on; from 1 January the December records are locked, January's open."""
    set_clock(monkeypatch, D(2026, 12, 31))
    report, _ = submit(comanager_in, township, 2026, 12)
    services.monthly_report_approve(actor=supervisor_of, report=report)
    today = timezone.localdate()
    record = outreach_services.outreach_create(actor=comanager_in, area=township, date=today, **PUBLICITY)
    inspection = draft(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    assert record.pk and inspection.pk
    outreach_services.outreach_update(actor=comanager_in, record=record, theme="饮用水卫生")

    set_clock(monkeypatch, D(2027, 1, 1))
    with pytest.raises(ValidationError, match=LOCKED):
        outreach_services.outreach_update(actor=comanager_in, record=record, theme="改过的主题")
    with pytest.raises(ValidationError, match=LOCKED):
        outreach_services.outreach_create(actor=comanager_in, area=township, date=D(2026, 12, 31), **PUBLICITY)
    assert outreach_services.outreach_create(
        actor=comanager_in, area=township, date=timezone.localdate(), **PUBLICITY
    ).pk


def test_an_approved_report_of_a_running_period_locks_nothing_yet(monkeypatch, demo, township, comanager_in):
    """What the old rule let happen (December approved on 6 December) no
    longer stops field work: the lock waits for the period's end."""
    set_clock(monkeypatch, D(2026, 12, 6))
    MonthlyReport.objects.create(
        township=township,
        year=2026,
        month=12,
        status=MonthlyStatus.APPROVED,
        deadline=D(2027, 1, 23),
        submitted_at=timezone.now(),
        submitted_by=comanager_in,
    )
    for day in (D(2026, 12, 1), D(2026, 12, 6)):
        assert_month_open(township, day)
        assert outreach_services.outreach_create(actor=comanager_in, area=township, date=day, **PUBLICITY).pk
    inspection = draft(comanager_in, plain_unit(township), inspectors=[comanager_in, demo.users["cg2"]])
    assert inspection.pk
    set_clock(monkeypatch, D(2027, 1, 1))
    with pytest.raises(ValidationError, match=LOCKED):
        assert_month_open(township, D(2026, 12, 6))


@pytest.mark.parametrize("start_day", [1, 26])
def test_a_record_made_today_always_belongs_to_an_open_period(monkeypatch, demo, township, comanager_in, start_day):
    """Day by day through a turn of the year: the period holding today can
    be submitted on its last day at the earliest, and even approved it
    leaves today open."""
    county_rules(demo.county, start_day=start_day)
    rules = rules_for(township)
    report = MonthlyReport.objects.create(
        township=township,
        year=2026,
        month=12,
        status=MonthlyStatus.APPROVED,
        deadline=D(2027, 1, 23),
        submitted_at=timezone.now(),
        submitted_by=comanager_in,
    )
    day = D(2026, 11, 20)
    while day <= D(2027, 2, 5):
        set_clock(monkeypatch, day, hour=23)
        period = rules.containing(day)
        MonthlyReport.objects.filter(pk=report.pk).update(year=period.year, month=period.month)
        assert_month_open(township, day)
        if day < period.last_day:
            with pytest.raises(ValidationError, match="方可上报"):
                services._check_month(period.year, period.month, day, rules)
        day += datetime.timedelta(days=1)


def test_the_report_page_greys_out_the_submit_button_until_the_last_day(
    monkeypatch, demo, login, township, comanager_in
):
    set_clock(monkeypatch, D(2026, 12, 6))
    client = login(comanager_in)
    url = reverse("monthly:report", args=[township.pk, 2026, 12])
    page = client.get(url).text
    assert 'id="submit-form"' not in page and 'id="submit-waits"' in page
    assert "自2026年12月31日起方可上报" in page and "disabled" in page
    response = client.post(reverse("monthly:submit", args=[township.pk, 2026, 12]), {"remarks": "本月正常"})
    assert response.status_code == 422 and "自2026年12月31日起方可上报" in response.text
    assert "本月正常" in response.text and not MonthlyReport.objects.exists()
    # November is over: its page offers the form.
    november = client.get(reverse("monthly:report", args=[township.pk, 2026, 11])).text
    assert 'id="submit-form"' in november and 'id="submit-waits"' not in november


def test_api_refuses_an_unfinished_month_in_chinese(monkeypatch, demo, client, api_token, township, comanager_in):
    set_clock(monkeypatch, D(2026, 12, 6))
    body = {"id": str(uuid.uuid4()), "township_id": str(township.pk), "year": 2026, "month": 12}
    response = client.post("/api/monthly-reports", body, content_type="application/json", **api_token(comanager_in))
    assert response.status_code == 422
    assert "自2026年12月31日起方可上报" in response.json()["detail"]
    assert not MonthlyReport.objects.exists()
    operation = client.get("/api/openapi.json").json()["paths"]["/api/monthly-reports"]["post"]
    assert "422" in operation["responses"]


# ---------------------------------------------------------------- patrols follow the period


@pytest.fixture
def patrolled(monkeypatch, demo, township, comanager_in):
    """Periods from the 26th; a key (monthly) unit patrolled on 27 November,
    which is December's period, and a quarterly unit never patrolled."""
    county_rules(demo.county, start_day=26, deadline_day=28)
    set_clock(monkeypatch, D(2026, 11, 27), hour=12)
    old = D(2020, 1, 1)
    key = plain_unit(township, name="甲饭店", is_key_unit=True, opened_on=old)
    plain_unit(township, name="乙旅馆", opened_on=old)
    at = timezone.make_aware(datetime.datetime(2026, 11, 27, 9))
    submitted(comanager_in, key, inspectors=[comanager_in, demo.users["cg2"]], at=at)
    set_clock(monkeypatch, D(2026, 12, 27))
    return key


def test_patrol_coverage_follows_the_countys_period(patrolled, township, comanager_in):
    december = patrol_status(comanager_in, year=2026, month=12, township=township, today=timezone.localdate())
    rows = {r.unit.name: r for r in december.rows}
    assert (rows["甲饭店"].window_start, rows["甲饭店"].window_end) == (D(2026, 11, 26), D(2026, 12, 25))
    assert rows["甲饭店"].state == "done"
    # The quarter is its three periods: 26 September – 25 December.
    assert (rows["乙旅馆"].window_start, rows["乙旅馆"].window_end) == (D(2026, 9, 26), D(2026, 12, 25))
    assert rows["乙旅馆"].state == "overdue"
    assert (december.start, december.end) == (D(2026, 11, 26), D(2026, 12, 25))
    assert (december.total.done, december.total.due) == (1, 2)
    november = patrol_status(comanager_in, year=2026, month=11, township=township, today=timezone.localdate())
    assert next(r for r in november.rows if r.unit.name == "甲饭店").state == "overdue"
    figures = monthly_figures(comanager_in, township=township, year=2026, month=12, today=timezone.localdate())
    assert (figures.coverage_done, figures.coverage_due) == (1, 2)
    assert figures.total.patrols[0] == 1


def test_the_patrols_due_now_are_those_of_the_period_today_falls_in(patrolled, login, township, comanager_in):
    """On 27 December January's period (26 Dec – 25 Jan) is running: the key
    unit is due again, the quarterly one in the new quarter."""
    assert current_month(comanager_in, timezone.localdate()) == (2027, 1)
    due = {r.unit.name: r for r in due_this_month(comanager_in, today=timezone.localdate())}
    assert (due["甲饭店"].window_start, due["甲饭店"].window_end, due["甲饭店"].state) == (
        D(2026, 12, 26),
        D(2027, 1, 25),
        "due",
    )
    assert (due["乙旅馆"].window_start, due["乙旅馆"].window_end) == (D(2026, 12, 26), D(2027, 3, 25))
    page = login(comanager_in).get(reverse("inspections:due")).text
    assert "2026-12-26 – 2027-01-25" in page


def test_the_patrol_register_of_a_month_is_its_period(patrolled, township, comanager_in):
    station = comanager_in.institution
    rows = patrol_register(comanager_in, institution=station, year=2026, month=12)
    assert [r.date for r in rows] == [D(2026, 11, 27)]
    assert patrol_register(comanager_in, institution=station, year=2026, month=11) == []
    # The year runs from its first period: 26 December 2025 – 25 December 2026.
    assert len(patrol_register(comanager_in, institution=station, year=2026)) == 1
