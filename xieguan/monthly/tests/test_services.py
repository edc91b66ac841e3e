"""The flow of a monthly report and the lock it puts on its month."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from xieguan.core.models import AuditEvent
from xieguan.inspections.models import Inspection
from xieguan.inspections.services.records import inspection_create
from xieguan.inspections.tests.factories import plain_unit
from xieguan.monthly import services
from xieguan.monthly.models import MonthlyReport, MonthlyReportVersion, MonthlySetting, MonthlyStatus
from xieguan.monthly.selectors import reporting_rates
from xieguan.monthly.tests.factories import set_clock
from xieguan.outreach import services as outreach_services
from xieguan.outreach.models import Outreach
from xieguan.outreach.tests.factories import make_outreach
from xieguan.reports import services as report_services
from xieguan.reports.models import Report

LOCKED = "已审核并锁定"
# The day the issue was found on: December cannot be reported yet, November can.
TODAY = datetime.date(2026, 12, 6)
REPORTED = (2026, 11)
IN_MONTH = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return set_clock(monkeypatch, TODAY)


def in_month() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(IN_MONTH, datetime.time(10)))


def submit(actor, township, **extra):
    year, month = extra.pop("ym", REPORTED)
    return services.monthly_report_submit(actor=actor, township=township, year=year, month=month, **extra)


def approved(comanager_in, supervisor_of, township) -> MonthlyReport:
    report, _created = submit(comanager_in, township)
    return services.monthly_report_approve(actor=supervisor_of, report=report)


def test_submit_keeps_a_version_with_the_figures_and_is_audited(demo, township, comanager_in):
    make_outreach(area=township, by=comanager_in, date=IN_MONTH)
    report, created = submit(comanager_in, township, remarks="本月无异常")
    assert created and report.status == MonthlyStatus.SUBMITTED and report.on_time is True
    assert report.remarks == "本月无异常" and report.submitted_by == comanager_in
    version = MonthlyReportVersion.objects.get(report=report)
    assert version.number == 1 and version.figures["rows"]["total"]["publicity"] == [1, 1]
    event = AuditEvent.objects.get(object_id=str(report.pk))
    assert event.action == "month.submit" and event.area_path == township.path


def test_submit_is_idempotent_on_the_client_id(demo, township, comanager_in):
    report_id = uuid.uuid4()
    first, created = submit(comanager_in, township, report_id=report_id)
    again, created_again = submit(comanager_in, township, report_id=report_id)
    assert (created, created_again) == (True, False) and first.pk == again.pk == report_id
    assert MonthlyReportVersion.objects.count() == 1


def test_a_report_submitted_after_its_deadline_is_late(demo, township, comanager_in):
    today = timezone.localdate()
    report, _ = submit(comanager_in, township, ym=(today.year - 1, 1))
    assert report.deadline == datetime.date(today.year - 1, 2, 23) and report.on_time is False


def test_the_county_sets_the_deadline_day(demo, township, comanager_in):
    MonthlySetting.objects.create(county=demo.county, deadline_day=31)
    today = timezone.localdate()
    report, _ = submit(comanager_in, township, ym=(today.year - 1, 1))
    assert report.deadline == datetime.date(today.year - 1, 2, 28)


def test_a_future_month_cannot_be_submitted(demo, township, comanager_in):
    with pytest.raises(ValidationError) as exc:
        submit(comanager_in, township, ym=(2027, 1))
    assert "2027年1月31日起方可上报" in str(exc.value)
    assert not MonthlyReport.objects.exists()


def test_returned_then_resubmitted_then_approved(demo, township, comanager_in, supervisor_of, county_admin):
    report, _ = submit(comanager_in, township)
    with pytest.raises(ValidationError) as exc:
        services.monthly_report_return(actor=supervisor_of, report=report, comment="  ")
    assert "必填" in str(exc.value)
    report = services.monthly_report_return(actor=supervisor_of, report=report, comment="宣传数偏少，请核实")
    assert report.status == MonthlyStatus.RETURNED and report.review_comment == "宣传数偏少，请核实"
    assert reporting_rates(county_admin, year=report.year, month=report.month)[0].missing.count(township) == 1
    report, created = submit(comanager_in, township, remarks="已核实")
    assert not created and report.status == MonthlyStatus.SUBMITTED
    assert list(report.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    report = services.monthly_report_approve(actor=county_admin, report=report)
    assert report.status == MonthlyStatus.APPROVED and report.reviewed_by == county_admin
    actions = list(AuditEvent.objects.filter(object_id=str(report.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["month.submit", "month.return", "month.submit", "month.approve"]


def test_a_submitted_report_cannot_be_submitted_twice(demo, township, comanager_in):
    submit(comanager_in, township)
    with pytest.raises(ValidationError) as exc:
        submit(comanager_in, township)
    assert "等待县级审核" in str(exc.value)
    assert MonthlyReportVersion.objects.count() == 1


def test_only_the_county_reviews(demo, township, comanager_in, outsider):
    report, _ = submit(comanager_in, township)
    with pytest.raises(PermissionDenied):
        services.monthly_report_approve(actor=comanager_in, report=report)
    with pytest.raises(Http404):
        services.monthly_report_return(actor=outsider, report=report, comment="x")
    report.refresh_from_db()
    assert report.status == MonthlyStatus.SUBMITTED


def test_outsider_cannot_submit_for_another_township(demo, township, outsider):
    with pytest.raises(Http404):
        submit(outsider, township)
    assert not MonthlyReport.objects.exists()


def test_an_approved_month_locks_publicity_inspections_and_reports(demo, township, comanager_in, supervisor_of):
    record = make_outreach(area=township, by=comanager_in, date=IN_MONTH)
    unit = plain_unit(township)
    approved(comanager_in, supervisor_of, township)
    now = in_month()
    with pytest.raises(ValidationError) as exc:
        outreach_services.outreach_create(
            actor=comanager_in,
            area=township,
            date=IN_MONTH,
            place="卫生院",
            form="consultation",
            theme="饮水安全",
        )
    assert LOCKED in str(exc.value) and township.name in str(exc.value)
    with pytest.raises(ValidationError, match=LOCKED):
        outreach_services.outreach_update(actor=comanager_in, record=record, theme="改过的主题")
    with pytest.raises(ValidationError, match=LOCKED):
        outreach_services.outreach_delete(actor=comanager_in, record=record)
    with pytest.raises(ValidationError, match=LOCKED):
        inspection_create(actor=comanager_in, unit=unit, started_at=now, inspectors=[comanager_in])
    with pytest.raises(ValidationError, match=LOCKED):
        report_services.report_create(
            actor=comanager_in, category="food_safety", found_at=now, place="人民路", content="无证经营"
        )
    record.refresh_from_db()
    assert record.theme == "食品安全宣传" and Outreach.objects.count() == 1
    assert not Inspection.objects.exists() and not Report.objects.exists()


def test_a_locked_month_does_not_lock_other_townships_or_months(
    demo, township, sibling_township, comanager_in, supervisor_of, outsider
):
    approved(comanager_in, supervisor_of, township)
    kwargs = {"place": "卫生院", "form": "consultation", "theme": "饮水安全"}
    for day in (datetime.date(2026, 10, 31), datetime.date(2026, 12, 1), TODAY):
        assert outreach_services.outreach_create(actor=comanager_in, area=township, date=day, **kwargs)
    assert outreach_services.outreach_create(actor=outsider, area=sibling_township, date=IN_MONTH, **kwargs)


def test_unlock_request_grant_edit_and_resubmit(demo, township, comanager_in, supervisor_of):
    record = make_outreach(area=township, by=comanager_in, date=IN_MONTH)
    report = approved(comanager_in, supervisor_of, township)
    with pytest.raises(ValidationError):
        services.monthly_report_unlock_grant(actor=supervisor_of, report=report, until=timezone.localdate())
    with pytest.raises(ValidationError):
        services.monthly_report_unlock_request(actor=comanager_in, report=report, reason="")
    report = services.monthly_report_unlock_request(actor=comanager_in, report=report, reason="漏录一次宣传")
    assert report.unlock_pending
    with pytest.raises(ValidationError) as exc:
        services.monthly_report_unlock_grant(
            actor=supervisor_of, report=report, until=timezone.localdate() + datetime.timedelta(days=60)
        )
    assert "30" in str(exc.value)
    report = services.monthly_report_unlock_grant(actor=supervisor_of, report=report, until=timezone.localdate())
    assert report.is_unlocked(timezone.now()) and not report.is_locked(timezone.now())
    outreach_services.outreach_update(actor=comanager_in, record=record, theme="饮用水卫生宣传")
    report, _ = submit(comanager_in, township, remarks="已补录")
    assert report.status == MonthlyStatus.SUBMITTED and report.unlocked_until is None and report.on_time is True
    assert report.versions.count() == 2
    report = services.monthly_report_approve(actor=supervisor_of, report=report)
    with pytest.raises(ValidationError, match=LOCKED):
        outreach_services.outreach_delete(actor=comanager_in, record=record)
    notes = list(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True).order_by("id"))
    assert notes == [
        "month.submit",
        "month.approve",
        "month.unlock_request",
        "month.unlock",
        "month.submit",
        "month.approve",
    ]


def test_an_expired_unlock_locks_again(demo, township, comanager_in, supervisor_of):
    report = approved(comanager_in, supervisor_of, township)
    MonthlyReport.objects.filter(pk=report.pk).update(
        unlock_requested_at=timezone.now(), unlocked_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match=LOCKED):
        make_kwargs = {"place": "卫生院", "form": "consultation", "theme": "饮水安全"}
        outreach_services.outreach_create(actor=comanager_in, area=township, date=IN_MONTH, **make_kwargs)


def test_reporting_rates_count_expected_submitted_on_time_and_missing(
    demo, township, comanager_in, county_admin, outsider, sibling_township
):
    year, month = REPORTED
    rate = reporting_rates(county_admin, year=year, month=month)[0]
    expected = rate.expected
    assert expected >= 2 and rate.submitted == 0 and township in rate.missing
    submit(comanager_in, township)
    submit(outsider, sibling_township)
    rate = reporting_rates(county_admin, year=year, month=month)[0]
    assert (rate.expected, rate.submitted, rate.on_time) == (expected, 2, 2)
    assert township not in rate.missing and len(rate.missing) == expected - 2
    # A township sees only its own line.
    own = reporting_rates(comanager_in, year=year, month=month)
    assert [r.area for r in own] == [township] and own[0].submitted == 1
