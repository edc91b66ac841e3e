"""Issue 6's journey: cun1 files a food-poisoning clue from a phone; cg1
verifies and forwards it; inst handles it and feeds back; the clock and the
rates follow; the register downloads as Excel and PDF; dh1 sees nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.core.testing import assert_pdf_with_cjk_font
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.reports import load_reports
from xieguan.reports.models import Report, ReportStatus
from xieguan.reports.selectors import period_bounds, report_indicators

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONTENT = "村民婚宴后9人呕吐腹泻，已送卫生院"


def signed_in(journey, viewport, who):
    j = journey(viewport, who)
    j.login(who, DEMO_PASSWORD)
    j.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return j


def test_food_poisoning_clue_from_phone_to_feedback(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_reports(demo)
    township = demo.townships[0]
    now = timezone.localtime()
    start, end = period_bounds(now.year, now.month)

    def figures():
        total, _rows = report_indicators(demo.users["bureau"], area=township, start=start, end=end)
        return total

    photo = tmp_path / "banquet.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), "orange").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    # cun1, the village doctor of 李家村, on a phone.
    cun1 = signed_in(journey, PHONE, "cun1")
    cun1.context.grant_permissions(["geolocation"])
    cun1.context.set_geolocation({"latitude": 34.261, "longitude": 108.942})
    cun1.shot("cun1-home")
    cun1.page.click("#open-reports a.btn")
    found = (now - datetime.timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M")
    cun1.page.select_option("#id_category", "foodborne")
    cun1.page.fill("#id_found_at", found)
    cun1.page.fill("#id_place", "李家村村委会旁农家院")
    cun1.page.fill("#id_content", CONTENT)
    cun1.page.fill("#id_affected_count", "9")
    cun1.page.set_input_files("#id_photos", str(photo))
    cun1.page.click("[data-geolocate]")
    # No wait_for_function: its string predicate is eval'd, which the CSP refuses.
    expect(cun1.page.locator("#id_latitude")).not_to_have_value("")
    cun1.shot("cun1-form")
    cun1.page.click("main form button[type=submit]")
    body = cun1.page.inner_text("main")
    assert "报告已提交" in cun1.page.inner_text("body") and CONTENT in body
    assert "剩余1小时" in body and "已报告，待乡镇核实" in body
    report = Report.objects.get(content=CONTENT)
    assert report.area == demo.villages[1] and report.photos.count() == 1 and report.latitude is not None
    assert cun1.page.locator(".photos img").count() == 1
    assert cun1.page.evaluate("document.documentElement.scrollWidth") <= 390
    cun1.shot("cun1-filed-with-clock")
    cun1.goto("/reports/")
    assert cun1.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert cun1.page.locator(f"a[href='/reports/{report.pk}/']").count() == 1
    cun1.shot("cun1-open-list")
    before = figures()

    # cg1, the township co-manager: the clock on the home page, verify, forward.
    cg1 = signed_in(journey, PHONE, "cg1")
    panel = cg1.page.inner_text("#open-reports")
    assert "食源性疾病" in panel and "剩余" in panel
    cg1.shot("cg1-home-panel")
    cg1.goto(f"/reports/{report.pk}/")
    cg1.page.fill("#note-verify", "已电话核实，9人就诊")
    cg1.page.click("button[data-step=verify]")
    assert "乡镇已核实" in cg1.page.inner_text("main")
    cg1.page.click("button[data-step=forward]")
    body = cg1.page.inner_text("main")
    assert "已报告县卫生监督所" in body and "按时报告" in body
    cg1.shot("cg1-forwarded-on-time")
    report.refresh_from_db()
    assert report.status == ReportStatus.FORWARDED and report.is_on_time
    after = figures()
    assert (after.found, after.reported, after.timely) == (before.found, before.reported + 1, before.timely + 1)

    # inst, the county supervisor: the rates, handle, feed back.
    inst = signed_in(journey, DESKTOP, "inst")
    inst.goto(f"/reports/indicators/?area={township.pk}&year={now.year}&month={now.month}")
    shown = inst.page.inner_text("[data-rate=report]")
    assert shown == f"{after.report_rate.percent}%"
    assert inst.page.inner_text("[data-rate=timely]") == f"{after.timely_rate.percent}%"
    assert "信息报告率 = " in inst.page.inner_text("main")
    inst.shot("inst-rates")
    inst.page.click("#rate-totals a[href*='measure=reported']")
    assert CONTENT[:10] in inst.page.inner_text("main")
    inst.shot("inst-drill-reported")
    inst.goto(f"/reports/{report.pk}/")
    inst.page.fill("#note-handle", "已现场流调，封存剩余食品，采样送检")
    inst.page.click("button[data-step=handle]")
    inst.page.fill("#note-feedback", "诊断为细菌性食物中毒，已责令农家院停业整改")
    inst.page.click("button[data-step=feedback]")
    body = inst.page.inner_text("main")
    assert "已反馈结果" in body and "责令农家院停业整改" in body
    inst.shot("inst-fed-back")

    # The register of 城关镇's station for this month, as Excel and PDF.
    inst.goto(f"/reports/register/?institution={demo.stations[0].pk}&year={now.year}&month={now.month}")
    assert CONTENT[:10] in inst.page.inner_text("#register")
    inst.shot("inst-register")
    with inst.page.expect_download() as download:
        inst.page.click("#register-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1] == ("序号", "发现时间", "信息类别", "信息内容", "报告时间", "报告人")
    assert any(CONTENT in str(r[3]) for r in rows[2:])
    pdf = inst.page.request.get(
        inst.base_url + "/reports/register/" + inst.page.get_attribute("#register-pdf", "href"),
        timeout=180_000,  # WeasyPrint subsets the CJK font: slow on a busy machine
    )
    assert pdf.status == 200
    assert_pdf_with_cjk_font(pdf.body())

    inst.goto(f"/reports/zero/?year={now.year}")
    assert "缺报" in inst.page.inner_text("#zero")
    inst.shot("inst-zero-reports")
    inst.goto("/reports/?state=all")
    inst.shot("inst-all-reports")

    # dh1, the neighbouring township, sees nothing of it.
    dh1 = signed_in(journey, PHONE, "dh1")
    assert CONTENT not in dh1.page.inner_text("main")
    dh1.goto("/reports/?state=all")
    assert CONTENT not in dh1.page.inner_text("main") and "李家村" not in dh1.page.inner_text("main")
    dh1.shot("dh1-list")
    response = dh1.goto(f"/reports/{report.pk}/")
    assert response.status == 404
    dh1.shot("dh1-404")
