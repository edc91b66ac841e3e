"""The month every overview and workbook test counts by hand: 城关镇 in May 2026."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from xieguan.areas.models import Area
from xieguan.inspections.models import Opinion, Reinspection, ReinspectionResult
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.outreach.models import Attendance
from xieguan.outreach.tests.factories import make_outreach, make_training
from xieguan.reports.tests.factories import make_report
from xieguan.units.models import Unit, UnitFiling, UnitStatus
from xieguan.units.tests.factories import make_unit

YEAR, MONTH = 2026, 5
OLD = datetime.date(2020, 1, 1)


def at(day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(YEAR, MONTH, day, hour))


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
    UnitFiling.objects.filter(unit=complete).update(since=OLD)  # its file complete since then too
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
