"""Issue 27's journey: cg1 sees a unit's risk score with its reasons and a
monthly plan listed riskiest first; bureau changes a weight and sees the
order change; the backtest page on the demo county shows its figures or
says the data is too small."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DESKTOP
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
