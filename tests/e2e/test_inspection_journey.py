"""Issue 5's journey: cg1 sees what is due, records an inspection with cg2 as
second inspector (two non-conforming items, a photo, both signatures drawn
on the phone), drafts the opinion — penalty wording refused and marked —,
opens its PDF; at the deadline the re-inspection is due, "not rectified"
hands it over; inst records the outcome; cg1 sees it in the unit file and
downloads the 巡查登记表. dh1 sees none of it."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from tests.e2e.conftest import DESKTOP, PHONE, poppler
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.inspections.models import Handover, Inspection, InspectionStatus, Opinion, Photo, Signature
from xieguan.units.models import Category, Unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def draw(page, canvas) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 22, y + (18 if step % 2 else -18), steps=3)
    page.mouse.up()


def test_inspection_opinion_reinspection_handover_and_register(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    public = Category.objects.get(code="public_place")
    unit = Unit.objects.create(
        name="城关镇红星宾馆",
        area=demo.villages[0],
        category=public,
        subtype=public.subtypes.first(),
        address="城关镇人民路 18 号",
        legal_representative="张红星",
        is_key_unit=True,
        latitude=Decimal("34.600000"),
        longitude=Decimal("113.600000"),
        opened_on=timezone.localdate().replace(year=2020),
    )
    photos = [tmp_path / "room.jpg", tmp_path / "hall.jpg"]
    for path, colour in zip(photos, ("teal", "olive"), strict=True):
        buffer = io.BytesIO()
        Image.new("RGB", (2000, 1500), colour).save(buffer, format="JPEG")
        path.write_bytes(buffer.getvalue())

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    due = cg1.page.inner_text("#due-this-month")
    assert "本月待巡查" in due and "城关镇红星宾馆" in due
    cg1.shot("home-due-this-month")

    cg1.page.click("#due-this-month a:has-text('城关镇红星宾馆')")
    cg1.page.check(f"input[name=inspectors][value='{demo.users['cg2'].pk}']")
    cg1.page.fill("#id_place", "宾馆前台及客房")
    cg1.shot("start-form")
    cg1.page.click("main form button[type=submit]:has-text('开始记录')")
    cg1.page.wait_for_selector("#draft-form")
    record = Inspection.objects.get()
    radios = cg1.page.locator("#draft-form .answer")
    assert radios.count() == 10
    for n in range(10):
        value = "fails" if n < 2 else "conforms"
        radios.nth(n).locator(f"input[value={value}]").check()
    notes = cg1.page.locator("#draft-form input[name^=n_]")
    notes.nth(0).fill("卫生许可证已过期")
    notes.nth(1).fill("未悬挂卫生许可证")
    cg1.page.fill("#id_problems", "卫生许可证过期且未亮证经营")
    cg1.page.select_option("#id_overall_result", "rectify")
    cg1.page.fill("#id_representative", "张红星")
    cg1.page.click("#draft-form button[value=save]")
    assert "草稿已保存" in cg1.page.inner_text("body")
    cg1.shot("draft-saved")

    # "Submit and lock" asks first (issue 20); saying no changes nothing.
    asked: list[str] = []
    cg1.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    cg1.page.click("#draft-form button[value=submit]")
    assert asked and "锁定" in asked[0]
    assert "尚未签字" not in cg1.page.inner_text("main")
    record.refresh_from_db()
    assert record.status == InspectionStatus.DRAFT

    # Submitting before anyone signed is refused, and the answers stay.
    cg1.page.on("dialog", lambda dialog: dialog.accept())
    cg1.page.click("#draft-form button[value=submit]")
    body = cg1.page.inner_text("main")
    assert "尚未签字" in body and "拒绝签字" in body
    # The checklist's photos are asked for as on the phone.
    assert "本检查表要求至少 2 张照片，本记录现有 0 张。" in body
    assert cg1.page.input_value("#id_problems") == "卫生许可证过期且未亮证经营"
    cg1.shot("submit-refused-kept")

    for n, photo in enumerate(photos, start=1):
        cg1.page.set_input_files("#photo-form input[type=file]", str(photo))
        cg1.page.click("#photo-form button[type=submit]")
        assert "照片已上传" in cg1.page.inner_text("body")
        assert Photo.objects.filter(inspection=record).count() == n

    for index in range(3):
        form = cg1.page.locator("form.sign-form").nth(index)
        draw(cg1.page, form.locator("canvas"))
        form.locator("button[type=submit]").click()
        assert "签名已保存" in cg1.page.inner_text("body")
    assert Signature.objects.filter(inspection=record, refused=False).exclude(image="").count() == 3
    cg1.shot("signed")

    cg1.page.click("#draft-form button[value=submit]")
    assert "已提交并锁定" in cg1.page.inner_text("body")
    record.refresh_from_db()
    assert record.status == InspectionStatus.SUBMITTED
    assert record.inspector_links.count() == 2 and record.answers.filter(result="fails").count() == 2
    cg1.shot("submitted")

    cg1.page.click("a:has-text('出具卫生监督意见书')")
    text = cg1.page.input_value("#id_text")
    assert "卫生许可证" in text and "1. " in text and "2. " in text
    cg1.page.fill("#id_text", text + "\n逾期不改的，责 令停业整顿并处罚款。")
    cg1.page.fill("#id_deadline", timezone.localdate().isoformat())
    cg1.page.click("main form button[type=submit]")
    marked = cg1.page.inner_text("#penalty-marked")
    assert cg1.page.locator("#penalty-marked mark").count() >= 2 and "责 令" in marked
    assert "处罚性用语" in cg1.page.inner_text("main")
    assert not Opinion.objects.exists()
    cg1.shot("penalty-wording-refused")
    cg1.page.fill("#id_text", text)
    cg1.page.click("main form button[type=submit]")
    opinion = Opinion.objects.get()
    assert opinion.number in cg1.page.inner_text("h1")
    # The deadline is today: the re-inspection is due now.
    assert "应进行复查" in cg1.page.inner_text("#reinspection-due")
    cg1.shot("opinion-reinspection-due")

    # Embedding the CJK font takes seconds; a busy test machine can take longer than the default 30 s.
    pdf = cg1.page.request.get(cg1.base_url + f"/opinions/{opinion.pk}/pdf/", timeout=120_000)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_path = cg1.folder / "opinion.pdf"
    pdf_path.write_bytes(pdf.body())
    if shutil.which("pdftotext"):
        words = poppler("pdftotext", str(pdf_path), "-")
        compact = words.replace(" ", "").replace("\n", "")  # the title is letter-spaced
        assert "卫生监督意见书" in compact and "城关镇红星宾馆" in compact and opinion.number in compact
    if shutil.which("pdftoppm"):
        poppler("pdftoppm", "-png", "-r", "60", str(pdf_path), str(cg1.folder / "opinion-page"))
        record_pdf = cg1.page.request.get(cg1.base_url + f"/inspections/{record.pk}/pdf/", timeout=120_000)
        (cg1.folder / "record.pdf").write_bytes(record_pdf.body())
        poppler("pdftoppm", "-png", "-r", "60", str(cg1.folder / "record.pdf"), str(cg1.folder / "record-page"))

    cg1.page.click("a:has-text('记录整改复查')")
    cg1.page.check("input[name=result][value=not_rectified]")
    cg1.page.check(f"input[name=inspectors][value='{demo.users['cg2'].pk}']")
    cg1.page.fill("#id_note", "许可证仍未换发")
    cg1.page.click("main form button[type=submit]")
    assert "未整改" in cg1.page.inner_text("h1")
    cg1.shot("reinspection-not-rectified")
    cg1.page.click("#hand-over")
    cg1.page.fill("#id_description", "复查仍未整改，请县卫生监督所处理。")
    cg1.page.click("main form button[type=submit]")
    assert "已移交县卫生监督所" in cg1.page.inner_text("body")
    handover = Handover.objects.get()
    cg1.shot("handed-over")

    inst = journey(DESKTOP, "inst")
    inst.login("inst", DEMO_PASSWORD)
    inst.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    inst.goto("/handovers/")
    inst.page.click("#handovers a:has-text('城关镇红星宾馆')")
    assert "卫生许可证过期且未亮证经营" in inst.page.inner_text("main") or "复查仍未整改" in inst.page.inner_text(
        "main"
    )
    inst.page.fill("#id_investigation", "监督员现场核实，许可证确已过期。")
    inst.page.fill("#id_outcome", "已立案调查，单位已补办卫生许可证，结果书面告知协管站。")
    inst.shot("institute-outcome-form")
    inst.page.click("main form button[type=submit]")
    assert "协管站可以看到" in inst.page.inner_text("body")
    handover.refresh_from_db()
    assert handover.status == "closed"
    inst.shot("institute-outcome-saved")

    cg1.goto(f"/units/{unit.pk}/")
    file_text = cg1.page.inner_text("main")
    assert "已立案调查，单位已补办卫生许可证" in file_text and opinion.number in file_text
    cg1.shot("unit-file-outcome")

    cg1.goto("/inspections/register/")
    with cg1.page.expect_download() as caught:
        cg1.page.click("#register-xlsx")
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = cg1.folder / download.suggested_filename
    download.save_as(str(saved))
    import openpyxl

    sheet = openpyxl.load_workbook(saved).active
    assert "巡查登记表" in sheet["A1"].value and "城关镇红星宾馆" in sheet["B3"].value
    cg1.shot("register")

    dh1 = journey(PHONE, "dh1")
    dh1.login("dh1", DEMO_PASSWORD)
    dh1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "城关镇红星宾馆" not in dh1.page.inner_text("main")
    for path in ("/inspections/", "/handovers/", "/opinions/"):
        dh1.goto(path)
        assert "城关镇红星宾馆" not in dh1.page.inner_text("main"), path
    for path in (f"/inspections/{record.pk}/", f"/handovers/{handover.pk}/", f"/opinions/{opinion.pk}/pdf/"):
        assert dh1.goto(path).status == 404, path
    dh1.goto("/handovers/")
    dh1.shot("dh1-sees-nothing")
