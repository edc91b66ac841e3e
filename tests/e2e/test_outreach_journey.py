"""Issue 8's journey: cg1 records a consultation desk with a photo and a
training of village officers; cun1 signs in through the QR link; cun1's hours
show it; the bureau sees the township that is behind."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from PIL import Image

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.outreach import load_outreach
from xieguan.outreach.models import Attendance, OutreachPhoto

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_publicity_training_sign_in_hours_and_what_is_due(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_outreach(demo)
    today = timezone.localdate().isoformat()
    photo = tmp_path / "desk.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), "teal").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/outreach/new/")
    cg1.page.select_option("#id_area", label="城关镇")
    cg1.page.fill("#id_date", today)
    cg1.page.fill("#id_place", "城关镇卫生院门口")
    cg1.page.select_option("#id_form", "consultation")
    cg1.page.fill("#id_theme", "冬季饮用水卫生咨询")
    cg1.page.fill("#id_audience_count", "86")
    cg1.shot("cg1-publicity-form")
    cg1.submit()
    assert "冬季饮用水卫生咨询" in cg1.page.inner_text("main")
    cg1.page.set_input_files("#id_image", str(photo))
    cg1.submit("main form[enctype] button[type=submit]")
    assert "照片已上传" in cg1.page.inner_text("body")
    assert OutreachPhoto.objects.count() == 1
    cg1.shot("cg1-publicity-with-photo")

    cg1.goto("/trainings/new/")
    cg1.page.select_option("#id_area", label="城关镇")
    cg1.page.select_option("#id_level", "township")
    cg1.page.fill("#id_topic", "冬季村级信息员培训")
    cg1.page.fill("#id_date", today)
    cg1.page.fill("#id_hours", "2.5")
    cg1.page.fill("#id_trainer", "王秀兰")
    cg1.submit()
    assert "签到二维码" in cg1.page.inner_text("main")
    assert cg1.page.locator(".qr svg").count() == 1
    cg1.shot("cg1-training-qr")
    link = cg1.page.get_attribute("a[href*='/sign-in/']", "href")

    cun1 = journey(PHONE, "cun1")
    cun1.login("cun1", DEMO_PASSWORD)
    cun1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cun1.page.goto(link)
    cun1.shot("cun1-sign-in")
    cun1.submit()
    body = cun1.page.inner_text("main")
    assert "冬季村级信息员培训" in body and "2.5" in body
    cun1.shot("cun1-hours")
    assert Attendance.objects.filter(person=demo.users["cun1"], training__topic="冬季村级信息员培训").count() == 1

    cg1.page.reload()
    assert "马德福" in cg1.page.inner_text("main")
    cg1.shot("cg1-attendee-listed")

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/outreach/due/?year=2026")
    body = bureau.page.inner_text("main")
    assert "河东镇" in body and "已逾期" in body and "不足 20 学时" in body
    bureau.shot("bureau-due")
    bureau.goto("/trainings/hours/?year=2026")
    assert "赵春梅" in bureau.page.inner_text("main")
    bureau.shot("bureau-hours")


def test_correct_filter_and_guide_a_unit(journey, tmp_path, settings):
    """cg1 corrects a record (a wrong date keeps what was typed), filters the
    list, records guidance from a unit's file and finds it on the unit's
    timeline; dh1 cannot open the record."""
    from xieguan.outreach.models import Outreach
    from xieguan.units.tests.factories import make_unit

    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_outreach(demo)
    unit = make_unit(demo.users["cg1"], demo.villages[0], name="红星酒店")
    today = timezone.localdate().isoformat()

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    record = Outreach.objects.filter(area=demo.townships[0]).first()
    cg1.goto(f"/outreach/{record.pk}/edit/")
    cg1.page.fill("#id_theme", "更正后的主题")
    cg1.page.fill("#id_date", "2099-01-01")
    cg1.submit()
    assert cg1.page.input_value("#id_theme") == "更正后的主题"
    assert "不能晚于今天" in cg1.page.inner_text("main") or "未来" in cg1.page.inner_text("main")
    cg1.shot("cg1-correction-refused-kept")
    cg1.page.fill("#id_date", record.date.isoformat())
    cg1.submit()
    assert "更正后的主题" in cg1.page.inner_text("main")

    cg1.goto("/outreach/")
    cg1.page.fill("#id_q", "更正后")
    cg1.submit("main form.filters button[type=submit]")
    assert cg1.page.locator("#outreach tbody tr").count() == 1
    cg1.shot("cg1-list-filtered")

    cg1.goto(f"/units/{unit.pk}/")
    cg1.page.click("text=记录对该单位的指导")
    cg1.page.fill("#id_theme", "指导完善从业人员健康证管理")
    cg1.page.fill("#id_date", today)
    cg1.submit()
    cg1.goto(f"/units/{unit.pk}/")
    assert "指导完善从业人员健康证管理" in cg1.page.inner_text("main")
    cg1.shot("cg1-unit-file-guidance")

    dh1 = journey(PHONE, "dh1")
    dh1.login("dh1", DEMO_PASSWORD)
    dh1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    response = dh1.goto(f"/outreach/{record.pk}/")
    assert response is not None and response.status == 404
    dh1.goto("/outreach/?q=更正后")
    assert "更正后的主题" not in dh1.page.inner_text("main")
