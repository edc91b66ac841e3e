"""Issue 9's journey: cg1 finds this month's report not yet open for
submitting (issue 20: from its period's last day on), opens last month's
and submits it; inst returns it with a comment; cg1 resubmits; bureau
approves; editing a record of the month is refused; unlock request → grant
→ edit → resubmit; the county's list shows the townships still missing."""

from __future__ import annotations

import shutil
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone
from docx import Document

from tests.e2e.conftest import DESKTOP, PHONE, first_page_png
from xieguan.accounts.models import Role, RoleCode
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.outreach import load_outreach
from xieguan.demo.units import load_units
from xieguan.monthly.models import MonthlyReport, MonthlyStatus
from xieguan.monthly.periods import rules_for
from xieguan.outreach.models import Outreach
from xieguan.outreach.tests.factories import make_outreach
from xieguan.units.models import Category

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_monthly_report_submit_return_approve_lock_unlock(journey):
    # The data migrations' rows that an earlier transactional test may have
    # flushed, as the other journeys restore them.
    for code in RoleCode.values:
        Role.objects.get_or_create(code=code)
    if not Category.objects.exists():
        import_module("xieguan.units.migrations.0002_seed_categories").seed(apps, None)
    demo = load_county()
    load_units(demo)
    load_outreach(demo)
    township = demo.townships[0]
    cg1_user = demo.users["cg1"]
    today = timezone.localdate()
    current = rules_for(township).containing(today)
    last = current.previous()  # over: its report can be submitted, its approval locks it
    record = make_outreach(area=township, by=cg1_user, date=last.last_day, theme="冬季饮水安全宣传")
    expected_publicity = Outreach.objects.filter(
        area__path__startswith=township.path, date__gte=last.first_day, date__lte=last.last_day
    ).count()
    report_path = f"/monthly/{township.pk}/{last.year}/{last.month}/"

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if today < current.last_day:
        # The month still running cannot be submitted: the button waits for its last day.
        cg1.goto(f"/monthly/{township.pk}/{current.year}/{current.month}/")
        waits = cg1.page.inner_text("#submit-waits")
        assert f"自{current.last_day.year}年{current.last_day.month}月{current.last_day.day}日起方可上报" in waits
        assert cg1.page.locator("#submit-waits button").is_disabled()
        cg1.shot("cg1-this-month-waits")
    cg1.goto(report_path)
    total = cg1.page.locator("tr[data-row=total] td[data-cell=publicity-month]").inner_text()
    assert int(total) == expected_publicity
    cg1.shot("cg1-report")
    cg1.page.fill("#id_remarks", "本月工作正常开展")
    cg1.submit("#submit-form button[type=submit]")
    assert "月报表已上报县级" in cg1.page.inner_text("body")
    cg1.shot("cg1-submitted")

    inst = journey(DESKTOP, "inst")
    inst.login("inst", DEMO_PASSWORD)
    inst.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    inst.goto(f"/monthly/review/?year={last.year}&month={last.month}")
    on_time = "按时上报" if today <= last.deadline(23) else "逾期上报"  # the demo county's 23rd
    assert on_time in inst.page.locator(f"tr[data-township='{township.name}']").inner_text()
    inst.shot("inst-review-list")
    inst.goto(report_path)
    inst.page.fill("#return-form textarea", "宣传教育数请与台账核对")
    inst.submit("#return-form button[type=submit]")
    assert "已退回修改" in inst.page.inner_text("main")
    inst.shot("inst-returned")

    cg1.goto(report_path)
    assert "宣传教育数请与台账核对" in cg1.page.inner_text("#review-comment")
    cg1.shot("cg1-sees-return")
    cg1.page.fill("#id_remarks", "已与台账核对无误")
    cg1.submit("#submit-form button[type=submit]")
    assert MonthlyReport.objects.get().status == MonthlyStatus.SUBMITTED

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto(report_path)
    bureau.submit("#approve-form button[type=submit]")
    assert "该月已锁定" in bureau.page.inner_text("body")
    bureau.shot("bureau-approved")

    # A record of the locked month cannot be corrected.
    cg1.goto(f"/outreach/{record.pk}/edit/")
    cg1.page.fill("#id_theme", "冬季饮用水卫生宣传")
    cg1.submit()
    assert "已审核并锁定" in cg1.page.inner_text("main")
    cg1.shot("cg1-edit-refused")
    record.refresh_from_db()
    assert record.theme == "冬季饮水安全宣传"

    cg1.goto(report_path)
    cg1.page.fill("#unlock-request-form textarea", "漏改一条宣传记录的主题")
    cg1.submit("#unlock-request-form button[type=submit]")
    assert "解锁申请已提交县级" in cg1.page.inner_text("body")

    bureau.goto(report_path)
    bureau.page.fill("#id_until", today.isoformat())
    bureau.shot("bureau-unlock-request")
    bureau.submit("#unlock-grant-form button[type=submit]")
    assert "该月已解锁" in bureau.page.inner_text("body")

    cg1.goto(f"/outreach/{record.pk}/edit/")
    cg1.page.fill("#id_theme", "冬季饮用水卫生宣传")
    cg1.submit()
    record.refresh_from_db()
    assert record.theme == "冬季饮用水卫生宣传"
    cg1.goto(report_path)
    cg1.page.fill("#id_remarks", "已更正宣传记录")
    cg1.submit("#submit-form button[type=submit]")
    report = MonthlyReport.objects.get()
    assert report.status == MonthlyStatus.SUBMITTED and report.versions.count() == 3
    cg1.shot("cg1-resubmitted")

    bureau.goto(f"/monthly/review/?year={last.year}&month={last.month}")
    missing = bureau.page.inner_text(".missing")
    assert township.name not in missing and demo.townships[1].name in missing
    bureau.shot("bureau-rates-missing")

    # The quarterly summary: a Chinese draft, edited, downloaded as Word and PDF.
    quarter = (today.month - 1) // 3 + 1
    cg1.goto(f"/monthly/summary/{township.pk}/{today.year}/?quarter={quarter}")
    draft = cg1.page.input_value("#id_text")
    assert "一、工作开展情况" in draft and "四、下一步工作" in draft
    cg1.page.fill("#id_text", draft + "\n（经站长审阅）")
    cg1.shot("cg1-summary")
    with cg1.page.expect_download() as word:
        cg1.page.click("button[value=docx]")
    document = Document(word.value.path())
    assert "（经站长审阅）" in [p.text for p in document.paragraphs]
    with cg1.page.expect_download() as pdf:
        cg1.page.click("button[value=pdf]")
    folder = cg1.folder
    shutil.copy(pdf.value.path(), folder / "summary.pdf")
    assert first_page_png(folder / "summary.pdf")
