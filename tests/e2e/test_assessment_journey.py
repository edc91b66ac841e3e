"""Issue 23's journey: bureau publishes a scheme and runs an assessment of
three townships; inst scores the manual items; bureau releases; cg1 sees
城关镇's scores (and no other township's) and appeals one; bureau answers
and finalises; the allocation adds up to the budget to the fen; the
bulletin is saved, issued to the townships' home pages and downloads as
Word and PDF (rendered to PNG to look at)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from docx import Document

from tests.e2e.conftest import DESKTOP, PHONE, first_page_png, poppler
from xieguan.assessments import services
from xieguan.assessments.models import Appeal, Assessment, AssessmentScheme, FundAllocation, ItemScore
from xieguan.demo.county import DEMO_PASSWORD, load_county

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_scheme_assessment_scores_appeal_final_bulletin_and_funds(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    town, beside, third = demo.townships[:3]
    for township, people in ((town, 52310), (beside, 38760), (third, 29845)):
        services.population_save(
            actor=demo.users["bureau"], area=township, year=2026, population=people, source="统计年鉴"
        )

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/assessment-schemes/new/")
    bureau.page.select_option("#id_area", label="示范县")
    bureau.page.fill("#id_name", "卫生监督协管工作绩效考核细则")
    bureau.page.fill("#id_award_tiers", "一等奖 1 1.2\n二等奖 1 1.1")
    bureau.shot("scheme-form")
    bureau.submit()
    scheme = AssessmentScheme.objects.get()
    for name, score, kind in (
        ("监督对象台账", "40", "auto"),
        ("两表一书", "30", "manual"),
        ("协管站规范化管理", "30", "manual"),
    ):
        bureau.page.click("main .actions a:has-text('添加考核项目')")
        bureau.page.fill("#id_name", name)
        bureau.page.fill("#id_max_score", score)
        bureau.page.select_option("#id_kind", kind)
        if kind == "auto":
            bureau.page.select_option("#id_indicator_code", "filing")
            bureau.page.fill("#id_target", "95")
            bureau.page.fill("#id_floor", "60")
        bureau.submit()
    bureau.submit("button:has-text('启用方案')")
    scheme.refresh_from_db()
    assert scheme.status == "in_use" and scheme.items.count() == 3
    bureau.shot("scheme-in-use")

    bureau.goto("/assessments/new/")
    bureau.page.select_option("#id_scheme", str(scheme.pk))
    bureau.page.fill("#id_name", "2026年上半年卫生监督协管工作考核")
    bureau.page.fill("#id_starts_on", "2026-01-01")
    bureau.page.fill("#id_ends_on", "2026-06-30")
    for township in demo.townships[3:]:
        bureau.page.uncheck(f"input[name=areas][value='{township.pk}']")
    bureau.page.select_option("#id_budget_mode", "entered")
    bureau.page.fill("#id_budget", "100000.01")
    bureau.shot("assessment-form")
    bureau.submit()
    assessment = Assessment.objects.get()
    assert assessment.areas.count() == 3
    for item in ("两表一书", "协管站规范化管理"):
        bureau.page.click("main .actions a:has-text('指定评分人')")
        bureau.page.select_option("#id_item", label=item)
        bureau.page.select_option("#id_reviewer", str(demo.users["inst"].pk))
        bureau.submit()
    bureau.submit("button:has-text('开始评分')")
    assert "评分中" in bureau.page.inner_text("main")
    bureau.shot("scoring")

    inst = journey(DESKTOP, "inst")
    inst.login("inst", DEMO_PASSWORD)
    inst.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    inst.goto(f"/assessments/{assessment.pk}/")
    values = {town.pk: "24", beside.pk: "18", third.pk: "27"}
    while inst.page.locator("#mine a").count():
        link = inst.page.locator("#mine a").first
        label = link.inner_text()
        link.click()
        inst.page.wait_for_selector("#id_score")
        area = next(t for t in (town, beside, third) if t.name in label)
        inst.page.fill("#id_score", values[area.pk])
        inst.page.fill("#id_notes", "查阅巡查登记表、意见书存根，" + ("齐全" if area != beside else "部分缺失"))
        if area == town and "两表一书" in label:
            inst.shot("inst-score-form")
        inst.submit()
    assert not ItemScore.objects.filter(assessment=assessment, score__isnull=True).exists()
    inst.shot("inst-scored")

    bureau.goto(f"/assessments/{assessment.pk}/")
    bureau.submit("button:has-text('公布结果')")
    assert "已公布" in bureau.page.inner_text("main")
    bureau.shot("released")

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "考核结果" in cg1.page.inner_text("#assessment-results")
    cg1.shot("cg1-home")
    cg1.goto(f"/assessments/{assessment.pk}/")
    table = cg1.page.inner_text("#scores")
    assert town.name in table and beside.name not in table and third.name not in table
    cg1.shot("cg1-scores")
    cg1.page.click("main .actions a:has-text('申诉')")
    cg1.page.select_option("#id_item", label="两表一书")
    cg1.page.fill("#id_reason", "上半年意见书存根已补齐归档，请复核两表一书得分。")
    cg1.shot("cg1-appeal")
    cg1.submit()
    assert "申诉已提交" in cg1.page.inner_text("body")
    appeal = Appeal.objects.get()

    bureau.goto(f"/assessments/{assessment.pk}/")
    bureau.page.click("#appeals a:has-text('答复')")
    bureau.page.fill("#id_answer", "经复核，存根齐全，两表一书调整为28分。")
    bureau.page.fill("#id_new_score", "28")
    bureau.submit()
    appeal.refresh_from_db()
    assert appeal.new_score == Decimal(28)
    bureau.submit("button:has-text('定稿')")
    assert "已定稿" in bureau.page.inner_text("main")
    bureau.shot("final")

    bureau.page.click("main .actions a:has-text('经费分配')")
    rows = list(FundAllocation.objects.filter(assessment=assessment))
    assert sum(r.amount for r in rows) == Decimal("100000.01")
    assert bureau.page.inner_text("#allocation-sum").strip() == "100000.01"
    bureau.shot("allocations")

    bureau.goto(f"/assessments/{assessment.pk}/bulletin/")
    text = bureau.page.input_value("#id_text")
    assert "一、考核结果" in text and town.name in text
    bureau.page.fill("#id_text", text.replace("现将结果通报如下。", "现将结果通报如下（经局务会研究）。"))
    bureau.submit("button:has-text('保存通报')")
    bureau.submit("button:has-text('发布到各乡镇首页')")
    bureau.shot("bulletin")
    with bureau.page.expect_download() as word:
        bureau.page.click("#bulletin-docx")
    document = Document(word.value.path())
    assert any("经局务会研究" in p.text for p in document.paragraphs)
    pdf = bureau.page.request.get(bureau.base_url + f"/assessments/{assessment.pk}/bulletin.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    saved = bureau.folder / "bulletin.pdf"
    saved.write_bytes(pdf.body())
    assert "经局务会研究" in poppler("pdftotext", str(saved), "-")
    assert first_page_png(saved)

    cg1.goto("/")
    assert "考核通报" in cg1.page.inner_text("#assessment-results")
    cg1.shot("cg1-home-bulletin")
    assert datetime.date.today()  # the journey ran today; the bulletin's PDF is beside the screenshots
