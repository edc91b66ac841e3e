"""The risk pages and the unit panel: scoped (inside, above, beside), in a
fixed number of queries, bad input answered in Chinese with nothing changed;
the weights change the order; new records rescore their unit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.models import OverallResult
from xieguan.risk.models import Backtest, RiskSettings, UnitRisk
from xieguan.risk.services import recompute
from xieguan.risk.tests.factories import bulk_units, inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(demo: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Three units of the first township: one with two violations, one key
    unit patrolled recently, one never patrolled; scored."""
    today = timezone.localdate()
    bad, key, new = bulk_units(demo, 3, opened_on=datetime.date(2025, 1, 1))
    key.is_key_unit = True
    key.save()
    with django_capture_on_commit_callbacks(execute=True):
        inspect(demo, bad, today - datetime.timedelta(days=20), result=OverallResult.RECTIFY)
        inspect(demo, bad, today - datetime.timedelta(days=10), result=OverallResult.SERIOUS)
        inspect(demo, key, today - datetime.timedelta(days=5))
    recompute([bad, key, new])
    return {"bad": bad, "key": key, "new": new}


def test_a_new_record_rescores_its_unit(demo, django_capture_on_commit_callbacks):
    (unit,) = bulk_units(demo, 1, opened_on=datetime.date(2025, 1, 1))
    assert not UnitRisk.objects.filter(unit=unit).exists()
    with django_capture_on_commit_callbacks(execute=True):
        inspect(demo, unit, timezone.localdate() - datetime.timedelta(days=1), result=OverallResult.RECTIFY)
    risk = UnitRisk.objects.get(unit=unit)
    assert [r["code"] for r in risk.reasons] == ["violations"]
    unit.refresh_from_db()
    assert unit.risk_grade == risk.grade  # the draws' per-grade ratios read it


def test_a_draft_rescores_nothing_its_submission_does(demo, django_capture_on_commit_callbacks):
    """A record underway (saved again and again by the field app) cannot
    change a score, which counts submitted records only."""
    from xieguan.inspections.models import Inspection, InspectionStatus

    (unit,) = bulk_units(demo, 1, opened_on=datetime.date(2025, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        record = inspect(demo, unit, timezone.localdate() - datetime.timedelta(days=1), result=OverallResult.RECTIFY)
    Inspection.objects.filter(pk=record.pk).update(status=InspectionStatus.DRAFT, submitted_at=None)
    UnitRisk.objects.filter(unit=unit).delete()
    record.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record.save()
    assert callbacks == [] and not UnitRisk.objects.filter(unit=unit).exists()
    record.status, record.submitted_at = InspectionStatus.SUBMITTED, timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record.save()
    assert len(callbacks) == 1 and UnitRisk.objects.filter(unit=unit).exists()


def test_the_unit_page_shows_score_grade_and_linked_reasons(demo, scored, login, inside_or_above):
    bad = scored["bad"]
    page = login(inside_or_above).get(reverse("units:detail", args=[bad.pk])).content.decode()
    assert 'id="risk-panel"' in page
    assert "2 次违法记录（近12个月）" in page
    assert "其中 1 次严重违法" in page
    assert "/inspections/" in page  # each reason links to its record
    assert str(UnitRisk.objects.get(unit=bad).score) in page


def test_the_list_is_riskiest_first_and_scoped(demo, scored, login):
    for username in ("cg1", "bureau"):
        page = login(demo.users[username]).get(reverse("risk:overview")).content.decode()
        names = [scored[k].name for k in ("bad", "new", "key")]
        positions = [page.index(n) for n in names]
        assert positions == sorted(positions), username
    beside = login(demo.users["dh1"]).get(reverse("risk:overview")).content.decode()
    assert scored["bad"].name not in beside
    assert login(demo.users["dh1"]).get(reverse("units:detail", args=[scored["bad"].pk])).status_code == 404


def test_the_list_costs_the_same_queries_for_3_units_or_23(demo, scored, login):
    client = login(demo.users["bureau"])
    client.get(reverse("risk:overview"))  # the session and caches warmed
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("risk:overview"))
    more = bulk_units(demo, 20, opened_on=datetime.date(2025, 1, 1))
    recompute(more)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("risk:overview")).status_code == 200
    assert len(many) == len(few)


def test_the_bureau_changes_a_weight_and_the_order_changes(demo, scored, login, django_capture_on_commit_callbacks):
    bureau = login(demo.users["bureau"])
    url = reverse("risk:settings")
    page = bureau.get(url).content.decode()
    assert "近12个月每次违法记录" in page and 'name="violation"' in page
    data = {f: getattr(RiskSettings(), f) for f in ("serious", "open_rectification", "complaint", "report")}
    data.update(
        violation=0,
        serious=0,
        overdue=5,
        key_unit=50,
        licence_expired=10,
        licence_expiring=3,
        certificate_expired=2,
        hygiene_b=4,
        hygiene_c=10,
        high_from=30,
        medium_from=12,
        monthly_capacity=30,
        sync_unit_grade="on",
    )
    data.update(
        {f"cat_{code}": 0 for code in ("food", "public_place", "drinking_water", "school", "medical", "occupational")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = list(
        UnitRisk.objects.filter(unit__in=scored.values()).order_by("-score", "id").values_list("unit_id", flat=True)
    )
    assert order[0] == scored["key"].pk


def test_bad_weights_are_refused_in_chinese_and_nothing_changes(demo, scored, login):
    bureau = login(demo.users["bureau"])
    response = bureau.post(reverse("risk:settings"), {"violation": "-3", "high_from": "abc"})
    assert response.status_code == 200
    assert not RiskSettings.objects.filter(county=demo.county).exists()
    assert "确保该值大于或等于" in response.content.decode() or "请输入" in response.content.decode()


def test_a_co_manager_reads_the_formula_but_cannot_change_it(demo, login):
    cg1 = login(demo.users["cg1"])
    assert cg1.get(reverse("risk:settings")).status_code == 404  # below county: no county page
    inst = login(demo.users["inst"])
    page = inst.get(reverse("risk:settings"))
    assert page.status_code == 200 and 'name="violation"' not in page.content.decode()
    assert inst.post(reverse("risk:settings"), {"violation": 1}).status_code == 403


def test_the_backtest_page_runs_and_says_too_small(demo, scored, login):
    bureau = login(demo.users["bureau"])
    url = reverse("risk:backtest")
    assert "还没有做过回测" in bureau.get(url).content.decode()
    future = timezone.localdate() + datetime.timedelta(days=3)
    refused = bureau.post(url, {"cut_off": future.isoformat(), "months": 3})
    assert refused.status_code == 422 and "截止日必须是过去的日期" in refused.content.decode()
    assert not Backtest.objects.exists()
    past = timezone.localdate() - datetime.timedelta(days=200)
    assert bureau.post(url, {"cut_off": past.isoformat(), "months": 3}).status_code == 302
    page = bureau.get(url).content.decode()
    assert 'id="too-small"' in page and "数据太少" in page
    assert login(demo.users["inst"]).post(url, {"cut_off": past.isoformat(), "months": 3}).status_code == 403


def test_the_plan_lists_the_riskiest_first(demo, scored):
    from xieguan.inspections.models import MonthlyPlan, MonthlyPlanItem
    from xieguan.inspections.selectors import plan_progress

    today = timezone.localdate()
    plan = MonthlyPlan.objects.create(
        township=demo.townships[0], year=today.year, month=today.month, created_by=demo.users["cg1"]
    )
    for key in ("key", "new", "bad"):
        MonthlyPlanItem.objects.create(plan=plan, unit=scored[key])
    assert [u.pk for u, _done in plan_progress(plan)] == [scored["bad"].pk, scored["new"].pk, scored["key"].pk]
