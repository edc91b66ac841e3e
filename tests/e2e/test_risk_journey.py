"""Issue 27's journey: cg1 sees a unit's risk score with its reasons and a
monthly plan listed riskiest first; bureau changes a weight and sees the
order change, and the audit log shows the units' risk grades that
change moved (before → after); the backtest page on the demo county shows its figures or
says the data is too small."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import F

from tests.e2e.conftest import DESKTOP
from xieguan.core.models import AuditEvent
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.inspections import load_inspections
from xieguan.demo.risk import load_risk
from xieguan.demo.units import load_units
from xieguan.inspections.models import MonthlyPlan
from xieguan.risk.models import Backtest, UnitRisk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _scores(page) -> list[int]:
    return [int(t) for t in page.locator("#plan td.risk-score").all_inner_texts()]


def test_risk_score_plan_weights_and_backtest(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_units(demo, count=300)
    load_inspections(demo)
    load_risk(demo)
    assert UnitRisk.objects.exists()

    cg1 = journey(DESKTOP, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/inspections/plan/")
    if not MonthlyPlan.objects.filter(township=demo.townships[0]).exists():
        cg1.submit("main form[method=post] button[type=submit]")
    scores = _scores(cg1.page)
    assert scores and scores == sorted(scores, reverse=True), scores
    cg1.shot("cg1-plan-riskiest-first")
    cg1.page.click("#plan tbody tr:first-child a")
    cg1.page.wait_for_selector("#risk-panel")
    panel = cg1.page.inner_text("#risk-panel")
    assert "风险评分" in panel and re.search(r"风险\s*[高中低]", panel)
    assert cg1.page.locator("#risk-reasons li").count() >= 1
    cg1.shot("cg1-unit-risk-reasons")
    assert cg1.page_errors() == [] and cg1.outside == []

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/risk/")
    before = bureau.page.locator("#risk-scores tbody tr td:first-child").all_inner_texts()[:10]
    bureau.shot("bureau-scores-before")
    bureau.goto("/risk/settings/")
    assert "风险分 = 下列各项加分之和" in bureau.page.inner_text("#formula")
    bureau.shot("bureau-formula")
    bureau.page.fill("#id_violation", "0")
    bureau.page.fill("#id_serious", "0")
    bureau.page.fill("#id_open_rectification", "0")
    bureau.page.fill("#id_key_unit", "60")
    bureau.submit("main form.card button[type=submit]")
    assert "权重已保存" in bureau.page.inner_text("body")
    assert "60" in bureau.page.inner_text("#formula")
    bureau.goto("/risk/")
    after = bureau.page.locator("#risk-scores tbody tr td:first-child").all_inner_texts()[:10]
    assert after != before
    bureau.shot("bureau-scores-after")

    # Saving the weights rescored the county and synced the units' own risk
    # grade (the one the draws read) from the new scores, as bureau's
    # change: the audit log shows each unit's grade before → after, and
    # one summary for the county.
    assert not UnitRisk.objects.filter(unit__county=demo.county).exclude(unit__risk_grade=F("grade")).exists()
    synced = AuditEvent.objects.filter(action="unit.risk_grade_sync", actor_username="bureau")
    assert synced.exists()
    bureau.goto("/audit/")
    bureau.page.select_option("#id_action", "unit.risk_grade_sync")
    bureau.page.click("main form.filters button[type=submit]")
    bureau.page.wait_for_url(re.compile(r"action=unit\.risk_grade_sync"))
    rows = bureau.page.locator("#audit-rows tbody tr")
    first = rows.first.inner_text()
    assert "bureau" in first and "风险等级" in first and "→" in first, first
    event = synced.order_by("-id").first()
    before_label, after_label = event.changes["risk_grade"]
    assert before_label != after_label and str(after_label) in first
    assert "按风险评分设定单位风险等级" in first
    bureau.shot("bureau-audit-grade-sync")
    bureau.page.select_option("#id_action", "unit_risk_grade.sync")
    bureau.page.click("main form.filters button[type=submit]")
    bureau.page.wait_for_url(re.compile(r"action=unit_risk_grade\.sync"))
    summary = bureau.page.locator("#audit-rows tbody tr").first.inner_text()
    assert "bureau" in summary and str(synced.count()) in summary, summary
    bureau.shot("bureau-audit-grade-sync-summary")

    # The command the deployment notes give for the same sync by hand: the
    # grades already follow the scores, so a rerun changes and logs nothing.
    out = io.StringIO()
    logged = AuditEvent.objects.count()
    call_command("risk_sync_grades", county=demo.county.code, stdout=out)
    assert out.getvalue().startswith("0 units' risk grade changed")
    assert AuditEvent.objects.count() == logged

    bureau.goto("/risk/backtest/")
    text = bureau.page.inner_text("main")
    result = Backtest.objects.filter(county=demo.county).first()
    assert result is not None and f"{result.units} 户" in text
    if result.verdict == "too_small":
        assert "数据太少" in text
    else:
        assert "前 k 户命中率" in text and "平均提前天数" in text and "结论" in text
    bureau.shot("bureau-backtest")
    assert bureau.page_errors() == [] and bureau.outside == []
