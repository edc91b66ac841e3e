"""The lock of an approved month covers every write that changes what the
month counts or rests on: photos, signatures, report workflow steps and
township trainings (besides the records themselves, test_services.py).
Each is refused in Chinese with nothing changed, and works again during a
granted unlock."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from xieguan.core.testing import count_queries
from xieguan.inspections.models import Photo, Signature
from xieguan.inspections.services.evidence import inspection_photo_add, signature_add
from xieguan.inspections.services.followups import reinspection_photo_add, reinspection_record
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import draft, jpeg, plain_unit, png, submitted
from xieguan.monthly import services
from xieguan.monthly.locks import assert_month_open
from xieguan.monthly.models import MonthlyReport
from xieguan.monthly.tests.factories import county_rules, set_clock
from xieguan.outreach import services as outreach_services
from xieguan.outreach.models import OutreachPhoto, Training
from xieguan.outreach.tests.factories import make_outreach, make_training
from xieguan.reports import services as report_services
from xieguan.reports.models import Report, ReportPhoto, ReportStatus, StepKind
from xieguan.reports.tests.factories import make_report

LOCKED = "已审核并锁定"
# The records are made on November's last day, when its report is submitted
# and approved; the lock holds from December on.
LAST_DAY = datetime.date(2026, 11, 30)
AFTER = datetime.date(2026, 12, 2)


def _approve(comanager, supervisor, township) -> MonthlyReport:
    report, _created = services.monthly_report_submit(actor=comanager, township=township, year=2026, month=11)
    return services.monthly_report_approve(actor=supervisor, report=report)


def _unlock(report, comanager, supervisor) -> None:
    services.monthly_report_unlock_request(actor=comanager, report=report, reason="补正照片")
    services.monthly_report_unlock_grant(actor=supervisor, report=report, until=timezone.localdate())


@pytest.fixture
def month(monkeypatch, demo, township, comanager_in, supervisor_of) -> dict[str, Any]:
    """Records of November in the township, the month approved on its last
    day, then two days later (the period over, the lock in force)."""
    set_clock(monkeypatch, LAST_DAY)
    cg2 = demo.users["cg2"]
    now = timezone.now()
    unit = plain_unit(township)
    done = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    opinion = opinion_issue(actor=comanager_in, inspection=done, text="请整改", deadline=timezone.localdate())
    records = {
        "filed": make_report(area=township, by=comanager_in, found_at=now - datetime.timedelta(hours=1)),
        "handled": make_report(
            area=township,
            by=comanager_in,
            found_at=now - datetime.timedelta(hours=2),
            reached_after=10,
            status=ReportStatus.HANDLED,
        ),
        "outreach": make_outreach(area=township, by=comanager_in, date=timezone.localdate()),
        "training": make_training(area=township, by=comanager_in, date=timezone.localdate()),
        "draft": draft(comanager_in, plain_unit(township, name="福满楼"), inspectors=[comanager_in, cg2]),
        "reinspection": reinspection_record(
            actor=comanager_in, opinion=opinion, inspected_at=now, result="rectified", inspectors=[comanager_in, cg2]
        ),
        "cg2": cg2,
    }
    records["report"] = _approve(comanager_in, supervisor_of, township)
    set_clock(monkeypatch, AFTER)
    return records


def _state() -> tuple[Any, ...]:
    return (
        ReportPhoto.objects.count(),
        OutreachPhoto.objects.count(),
        Photo.objects.count(),
        Signature.objects.count(),
        sorted(Report.objects.values_list("status", flat=True)),
        sorted(Training.objects.values_list("topic", "date")),
    )


ACTIONS = {
    "report photo": lambda m, cg, inst: report_services.report_photo_add(
        actor=cg, report=m["filed"], upload=jpeg("red")
    ),
    "report forwarding": lambda m, cg, inst: report_services.report_step(
        actor=cg, report=m["filed"], kind=StepKind.FORWARDED
    ),
    "publicity photo": lambda m, cg, inst: outreach_services.outreach_photo_add(
        actor=cg, outreach=m["outreach"], upload=jpeg("navy")
    ),
    "training create": lambda m, cg, inst: outreach_services.training_create(
        actor=cg,
        area=m["training"].area,
        level="township",
        topic="村医培训",
        date=LAST_DAY,
        hours=Decimal("2"),
        trainer="王站长",
    ),
    "training edit": lambda m, cg, inst: outreach_services.training_update(
        actor=cg, training=m["training"], topic="改过的主题"
    ),
    "training delete": lambda m, cg, inst: outreach_services.training_delete(actor=cg, training=m["training"]),
    "inspection photo": lambda m, cg, inst: inspection_photo_add(actor=cg, inspection=m["draft"], upload=jpeg("olive")),
    "inspection signature": lambda m, cg, inst: signature_add(
        actor=cg, inspection=m["draft"], role="inspector", user=cg, upload=png()
    ),
    "re-inspection photo": lambda m, cg, inst: reinspection_photo_add(
        actor=cg, reinspection=m["reinspection"], upload=jpeg("maroon")
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_locked_month_refuses_then_unlock_allows(month, comanager_in, supervisor_of, action):
    act = ACTIONS[action]
    before = _state()
    with pytest.raises(ValidationError) as exc:
        act(month, comanager_in, supervisor_of)
    assert LOCKED in " ".join(exc.value.messages)
    assert _state() == before
    _unlock(month["report"], comanager_in, supervisor_of)
    act(month, comanager_in, supervisor_of)
    assert _state() != before


def test_the_countys_handling_of_a_report_is_never_locked(month, supervisor_of):
    """Feedback comes weeks after the month is approved and changes no figure of it."""
    report, taken = report_services.report_step(
        actor=supervisor_of, report=month["handled"], kind=StepKind.FED_BACK, note="已责令整改"
    )
    assert taken and report.status == "fed_back"


def test_county_training_is_never_locked(month, demo, supervisor_of):
    training = outreach_services.training_create(
        actor=supervisor_of,
        area=demo.county,
        level="county",
        topic="协管员年度培训",
        date=timezone.localdate(),
        hours=Decimal("4"),
        trainer="李所长",
    )
    assert training.pk


def test_the_lock_check_is_one_query(month, township):
    report = month["report"]
    day = LAST_DAY

    def refused() -> None:
        with pytest.raises(ValidationError):
            assert_month_open(township, day)

    assert count_queries(refused) == 1
    MonthlyReport.objects.filter(pk=report.pk).update(status="submitted")
    assert count_queries(lambda: assert_month_open(township, day)) == 1


def test_the_lock_follows_the_county_period_boundaries(demo, township, comanager_in, supervisor_of):
    """Periods from the 26th: November's report covers 26 Oct – 25 Nov. Its
    approval locks 27 October, not 26 November (December's)."""
    county_rules(demo.county, start_day=26, deadline_day=28)
    year = timezone.localdate().year - 1
    report, _ = services.monthly_report_submit(actor=comanager_in, township=township, year=year, month=11)
    services.monthly_report_approve(actor=supervisor_of, report=report)
    with pytest.raises(ValidationError, match=LOCKED):
        assert_month_open(township, datetime.date(year, 10, 27))
    with pytest.raises(ValidationError, match=LOCKED):
        assert_month_open(township, datetime.date(year, 11, 25))
    assert_month_open(township, datetime.date(year, 11, 26))
    assert_month_open(township, datetime.date(year, 10, 25))


def test_api_refuses_a_photo_and_a_forwarding_with_chinese_detail(month, client, api_token, comanager_in):
    headers = api_token(comanager_in)
    filed = month["filed"]
    response = client.post(f"/api/reports/{filed.pk}/photos", {"image": jpeg("red")}, **headers)
    assert response.status_code == 409 and LOCKED in response.json()["detail"]
    response = client.post(
        f"/api/reports/{filed.pk}/forward", data={"note": ""}, content_type="application/json", **headers
    )
    assert response.status_code == 409 and LOCKED in response.json()["detail"]
    filed.refresh_from_db()
    assert filed.status == ReportStatus.FILED and filed.photos.count() == 0
