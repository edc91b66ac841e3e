"""Issue 9, the county's rules and the split rows: bureau sets the period
start (26th, from the month offered: the current one) and the deadline day
(28th) on the settings page; cg1 sees the new period and deadline on the
report page of the month running (not yet open for submitting, issue 20),
the 事故/隐患 and 违法行为 sub-rows of last month with their figures, and
drills a sub-row cell to its report; once the county approves last month,
adding a photo to, or forwarding, a report of that month is refused in
Chinese."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.periods import Rules, day_label
from xieguan.reports.models import ReportStatus
from xieguan.reports.tests.factories import make_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_rules_split_rows_and_locked_photo_and_forwarding(journey, tmp_path):
    demo = load_county()
    township = demo.townships[0]
    cg1_user = demo.users["cg1"]
    today = timezone.localdate()
    # The rules the bureau sets: from the 26th, applying from this month on.
    rules = Rules(28, ((today.replace(day=1), 26),))
    current = rules.containing(today)
    last = current.previous()
    due = last if today <= last.deadline(28) else current
    now = timezone.make_aware(datetime.datetime.combine(last.last_day, datetime.time(12)))
    hazard = make_report(
        area=township,
        by=cg1_user,
        code="drinking_water",
        found_at=now - datetime.timedelta(hours=3),
        reached_after=30,
        nature="hazard",
        content="村集中供水点消毒设施停用",
    )
    violation = make_report(
        area=township,
        by=cg1_user,
        code="food_safety",
        found_at=now - datetime.timedelta(hours=2),
        nature="violation",
        content="集贸市场无证经营熟食",
    )
    assert violation.status == ReportStatus.FILED
    deadline = current.deadline(28)

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/monthly/settings/")
    bureau.page.fill("#id_period_start_day", "29")
    bureau.page.fill("#id_deadline_day", "28")
    bureau.submit("#settings-form button[type=submit]")
    assert "请填写 1 到 28 之间的日期" in bureau.page.inner_text("main")
    assert bureau.page.input_value("#id_period_start_day") == "29"
    bureau.shot("bureau-settings-refused")
    assert bureau.page.input_value("#id_applies_from") == f"{today:%Y-%m}"  # the month offered
    bureau.page.fill("#id_period_start_day", "26")
    bureau.submit("#settings-form button[type=submit]")
    assert "月报规则已保存" in bureau.page.inner_text("body")
    assert current.first_day.isoformat() in bureau.page.inner_text("#rules")
    assert "上月26日至本月25日" in bureau.page.inner_text("#start-days")
    bureau.shot("bureau-settings-saved")

    report_path = f"/monthly/{township.pk}/{last.year}/{last.month}/"
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/monthly/")
    cg1.page.wait_for_url(lambda url: f"/monthly/{township.pk}/{due.year}/{due.month}/" in url)
    cg1.goto(f"/monthly/{township.pk}/{current.year}/{current.month}/")
    text = cg1.page.inner_text("#period")
    assert f"统计周期 {current.first_day.isoformat()} 至 {current.last_day.isoformat()}" in text
    assert deadline.isoformat() in cg1.page.inner_text("#deadline")
    if today < current.last_day:
        assert f"自{day_label(current.last_day)}起方可上报" in cg1.page.inner_text("#submit-waits")
    cg1.shot("cg1-current-period")
    cg1.goto(report_path)
    table = cg1.page.locator("#figures")
    assert "事故/隐患" in table.inner_text() and "违法行为" in table.inner_text()
    water = cg1.page.locator("tr[data-row='drinking_water-hazard'] td[data-cell=clues-month]")
    food = cg1.page.locator("tr[data-row='food_safety-violation'] td[data-cell=clues-month]")
    expect(water).to_have_text("1")
    expect(food).to_have_text("1")
    expect(cg1.page.locator("tr[data-row='food_safety-hazard'] td[data-cell=clues-month]")).to_have_text("0")
    expect(cg1.page.locator("tr[data-row=total] td[data-cell=clues-month]")).to_have_text("2")
    cg1.shot("cg1-report-split-rows")
    with cg1.page.expect_navigation():
        food.locator("a").click()
    drilled = cg1.page.inner_text("main")
    assert "集贸市场无证经营熟食" in drilled and "村集中供水点消毒设施停用" not in drilled
    assert "违法行为" in drilled
    cg1.shot("cg1-drill-violation")

    cg1.goto(report_path)
    cg1.submit("#submit-form button[type=submit]")
    assert "月报表已上报县级" in cg1.page.inner_text("body")
    bureau.goto(report_path)
    bureau.submit("#approve-form button[type=submit]")
    assert MonthlyReport.objects.get().status == MonthlyStatus.APPROVED

    photo = tmp_path / "scene.jpg"
    Image.new("RGB", (800, 600), "teal").save(photo, "JPEG")
    cg1.goto(f"/reports/{violation.pk}/")
    cg1.page.set_input_files("#id_image", str(photo))
    cg1.submit("main form[enctype] button[type=submit]")
    assert "已审核并锁定" in cg1.page.inner_text("body")
    cg1.shot("cg1-photo-refused")
    cg1.submit("button[data-step=forward]")
    assert "已审核并锁定" in cg1.page.inner_text("body")
    cg1.shot("cg1-forward-refused")
    violation.refresh_from_db()
    assert violation.status == ReportStatus.FILED and violation.photos.count() == 0
    hazard.refresh_from_db()
    assert hazard.nature == "hazard"
