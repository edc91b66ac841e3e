"""Issue 7's journey: logged out on a 390-px phone, a person files an
anonymous complaint with a photo (a wrong CAPTCHA first: nothing typed is
lost, the photo is kept), gets the receipt and PIN and tracks it; cg1
accepts, records the result and replies; tracking shows the reply and the
complaint is reopened. cg1 registers a phone complaint with the
complainant's number: cg2 and inst (not handling) see it masked, dh1 not at
all; the bureau sees the list with the deadlines first."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from PIL import Image

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.complaints.models import Complaint, Status
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.units.models import Category, Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ANSWER = "K7M4P"


def test_public_complaint_tracked_handled_replied_reopened_and_complainant_protected(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COMPLAINTS_CAPTCHA_FIXED = ANSWER  # the test-only hook; never set by default
    cache.clear()
    demo = load_county()
    Unit.objects.create(name="红星饭店", area=demo.townships[0], category=Category.objects.get(code="food"))
    photo = tmp_path / "kitchen.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), "olive").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())

    # --- the public, logged out, on a phone -------------------------------------------
    public = journey(PHONE, "public")
    public.goto("/complaints/new")
    page = public.page
    assert "投诉举报" in page.inner_text("h1")
    page.select_option("#id_township", label="城关镇")
    page.wait_for_selector("#id_village option:nth-child(2)", state="attached")
    page.select_option("#id_village", label="李家村")
    page.select_option("#id_category", "food")
    page.fill("#id_content", "红星饭店后厨有老鼠，餐具不消毒，已经好几次了。")
    page.fill("#unit-q", "红星")
    page.wait_for_selector("#unit-results input[type=radio]")
    page.check("#unit-results input[type=radio] >> nth=0")
    page.set_input_files("#id_photos", str(photo))
    assert page.is_hidden("[data-contact]")  # anonymous by default
    page.fill("#id_captcha_answer", "WRONG")
    public.shot("form-filled")
    page.click("#complaint-form button[type=submit]")
    body = page.inner_text("main")
    assert "图中的字符不对" in body
    assert page.input_value("#id_content") == "红星饭店后厨有老鼠，餐具不消毒，已经好几次了。"
    assert page.is_checked("#unit-results input[type=radio] >> nth=0")
    assert "张照片已保留" in body
    assert Complaint.objects.count() == 0
    public.shot("captcha-wrong-everything-kept")
    page.fill("#id_captcha_answer", ANSWER.lower())
    page.click("#complaint-form button[type=submit]")
    page.wait_for_selector("#pin")
    receipt, pin = page.inner_text("#receipt"), page.inner_text("#pin")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", receipt) and re.fullmatch(r"\d{6}", pin)
    public.shot("receipt-and-pin")
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous and complaint.photos.count() == 1 and complaint.unit.name == "红星饭店"
    assert complaint.village.name == "李家村"

    tracker = journey(PHONE, "tracker")  # a fresh browser: only receipt + PIN
    tracker.goto("/complaints/track")
    tracker.page.fill("#id_receipt", receipt.lower())
    tracker.page.fill("#id_pin", "000000")
    tracker.page.click("main button[type=submit]")
    assert "回执码或查询密码不正确" in tracker.page.inner_text("main")
    tracker.page.fill("#id_pin", pin)
    tracker.page.click("main button[type=submit]")
    tracker.page.wait_for_selector("#steps")
    assert tracker.page.inner_text("#status") == "已登记"
    assert complaint.due_on.isoformat() in tracker.page.inner_text("#steps")
    tracker.shot("tracked-registered")

    # --- cg1 handles it ----------------------------------------------------------------
    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/complaints/")
    assert receipt in cg1.page.inner_text("#complaints")
    cg1.shot("list")
    cg1.page.click(f"text={receipt}")
    cg1.page.click("#accept-form button")
    assert "已受理" in cg1.page.inner_text("main")
    cg1.page.fill("#id_rs-result", "现场检查属实，已责令停业整顿三日并灭鼠。")
    cg1.page.click("#result-form button")
    cg1.page.fill("#id_rp-reply", "您反映的问题属实，已责令该店整改，复查合格后方可营业。感谢监督。")
    cg1.shot("reply-form")
    cg1.page.click("#reply-form button")
    assert cg1.page.inner_text("#status") == "已答复"
    cg1.shot("replied")

    # --- tracking shows the reply; reopen ------------------------------------------------
    tracker.page.reload()
    assert "已责令该店整改" in tracker.page.inner_text("#reply")
    assert "王秀兰" not in tracker.page.inner_text("main")  # no staff names for the public
    tracker.shot("tracked-reply")
    tracker.page.fill("#id_reason", "今天路过看到后厨还是很脏。")
    tracker.page.click("#reopen-form button")
    assert "重新提出" in tracker.page.inner_text("main")
    assert tracker.page.inner_text("#status") == "乡镇办理中"
    tracker.shot("reopened")
    complaint.refresh_from_db()
    assert complaint.status == Status.ACCEPTED and complaint.reopen_count == 1

    # --- a phone complaint with the complainant's number ---------------------------------
    cg1.goto("/complaints/register/")
    cg1.page.select_option("#id_channel", "phone")
    cg1.page.select_option("#id_township", label="城关镇")
    cg1.page.select_option("#id_category", "drinking_water")
    cg1.page.fill("#id_content", "王庄村供水站的水发黄，有铁锈味。")
    cg1.page.fill("#id_name", "张建华")
    cg1.page.fill("#id_phone", "13912345678")
    cg1.shot("register-phone-complaint")
    cg1.page.click("#complaint-form button[type=submit]")
    assert "13912345678" in cg1.page.inner_text("#complainant")
    cg1.shot("registered-handler-sees-phone")
    phoned = Complaint.objects.get(channel="phone")
    url = f"/complaints/{phoned.pk}/"

    for username in ("cg2", "inst"):
        other = journey(PHONE, username)
        other.login(username, DEMO_PASSWORD)
        other.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        other.goto(url)
        text = other.page.inner_text("body")
        assert "13912345678" not in text and "张建华" not in text and "139****5678" in text
        other.shot("not-handling-masked")

    dh1 = journey(PHONE, "dh1")
    dh1.login("dh1", DEMO_PASSWORD)
    dh1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    response = dh1.goto(url)
    assert response.status == 404 and "13912345678" not in dh1.page.inner_text("body")
    dh1.goto("/complaints/?status=all")
    assert phoned.receipt_display not in dh1.page.inner_text("main")
    dh1.shot("sibling-township-sees-nothing")

    bureau = journey(DESKTOP, "bureau")
    bureau.login("bureau", DEMO_PASSWORD)
    bureau.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    bureau.goto("/complaints/?status=all")
    assert "13912345678" not in bureau.page.inner_text("body")
    bureau.shot("county-list-desktop")
