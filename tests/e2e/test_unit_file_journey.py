"""Issue 4's journey (the parts on this branch): cg1 registers a unit with a
wrong credit code (the message names the check character, nothing typed is
lost), fixes it, opens the unit file and its PDF, exports the filtered list;
dh1 of the neighbouring township sees none of 城关镇's units on the list, in
search, in the export or by URL."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.units import load_units
from xieguan.units.models import Unit
from xieguan.units.tests.factories import credit_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _xlsx_names(download, tmp_path):
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][0] == "名称"
    return [r[0] for r in rows[2:]]


def test_register_fix_file_pdf_export_and_the_neighbour_sees_nothing(journey, tmp_path):
    demo = load_county()
    load_units(demo, count=120)
    good = credit_code(4242, division="990102")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/units/new/?category=food")
    page = cg1.page
    page.fill("#id_name", "红旗饭店")
    page.fill("#id_credit_code", wrong)
    page.select_option("#id_area", label="城关镇")
    page.select_option("#id_subtype", label="餐饮服务单位")
    page.fill("#id_address", "城关镇人民路 66 号")
    page.fill("#id_legal_representative", "赵红旗")
    page.fill("#id_phone", "13900006666")
    page.fill("[name='extra.seats']", "60")
    page.fill("[name='extra.food_licence_no']", "JY13599010000066")
    page.click("main button[type=submit]")
    body = page.inner_text("main")
    assert f"校验码应为 {good[-1]}" in body, body
    # Nothing typed is lost.
    assert page.input_value("#id_name") == "红旗饭店"
    assert page.input_value("#id_credit_code") == wrong
    assert page.input_value("#id_address") == "城关镇人民路 66 号"
    assert page.input_value("#id_legal_representative") == "赵红旗"
    assert page.input_value("#id_phone") == "13900006666"
    assert page.input_value("[name='extra.seats']") == "60"
    assert page.input_value("[name='extra.food_licence_no']") == "JY13599010000066"
    assert not Unit.objects.filter(name="红旗饭店").exists()
    cg1.shot("cg1-wrong-credit-code")

    page.fill("#id_credit_code", good)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/units/new/" not in url)
    unit = Unit.objects.get(name="红旗饭店")
    assert unit.credit_code == good and unit.is_complete
    assert "红旗饭店" in page.inner_text("h1")
    cg1.shot("cg1-unit-file")

    print_link = page.locator("a", has_text="打印")
    pdf_url = print_link.get_attribute("href")
    assert pdf_url == f"/units/{unit.pk}/pdf/"
    # Generous: the first PDF of a fresh checkout unpacks the CJK font once.
    pdf = cg1.context.request.get(cg1.base_url + pdf_url, timeout=120_000)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    cg1.goto("/units/?q=" + "红旗")
    assert "红旗饭店" in page.inner_text("main")
    cg1.shot("cg1-list-filtered")
    with page.expect_download() as download:
        page.click("#export-link")
    assert _xlsx_names(download.value, tmp_path) == ["红旗饭店"]

    cg1.goto("/units/")
    cg1.shot("cg1-list")
    chengguan = set(Unit.objects.filter(area__path__startswith=demo.townships[0].path).values_list("name", flat=True))
    assert len(chengguan) > 5

    dh1 = journey(PHONE, "dh1")
    dh1.login("dh1", DEMO_PASSWORD)
    dh1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    dh1.goto("/units/")
    listed = dh1.page.inner_text("main")
    assert not [name for name in chengguan if name in listed]
    dh1.shot("dh1-list")
    dh1.goto("/units/?q=" + "红旗")
    assert "红旗饭店" not in dh1.page.inner_text("main")
    dh1.goto("/units/?q=hqfd")
    assert "红旗饭店" not in dh1.page.inner_text("main")
    dh1.shot("dh1-search")
    for path in (f"/units/{unit.pk}/", f"/units/{unit.pk}/pdf/", f"/units/{unit.pk}/edit/"):
        assert dh1.goto(path).status == 404
    dh1.shot("dh1-by-url-404")
    dh1.goto("/units/")
    with dh1.page.expect_download() as download:
        dh1.page.click("#export-link")
    exported = _xlsx_names(download.value, tmp_path)
    assert exported and not chengguan.intersection(exported)

    desk = journey(DESKTOP, "desktop")
    desk.login("cg1", DEMO_PASSWORD)
    desk.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    desk.goto("/units/")
    desk.shot("cg1-list-desktop")
    desk.goto(f"/units/{unit.pk}/")
    desk.shot("cg1-unit-file-desktop")
    desk.goto("/units/licences/?state=expired")
    desk.shot("cg1-licences-expired-desktop")
