"""Issue 4's import journey on a 390-px phone: cg1 downloads the food
template, uploads it filled in with mistakes and sees every one by row and
column, uploads the corrected sheet, confirms, finds the units; merges a
duplicate pair of the demo registry; dh1 sees none of it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import DESKTOP, PHONE
from xieguan.demo.county import DEMO_PASSWORD, load_county
from xieguan.demo.units import load_units
from xieguan.units.models import ImportBatch, Unit
from xieguan.units.tests.factories import credit_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def filled(template: bytes, rows: list[dict[str, object]]) -> bytes:
    """The downloaded template with rows typed under its example row."""
    book = load_workbook(io.BytesIO(template))
    ws = book.worksheets[0]
    headers = [str(c.value).rstrip("*※") for c in ws[2]]
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_with_mistakes_then_fixed_then_merge_and_the_neighbour_sees_nothing(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo = load_county()
    load_units(demo, count=300)
    good_code = credit_code(4242)
    wrong_code = good_code[:-1] + ("1" if good_code[-1] != "1" else "2")

    cg1 = journey(PHONE, "cg1")
    cg1.login("cg1", DEMO_PASSWORD)
    cg1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    cg1.goto("/units/")
    cg1.page.click("text=Excel 导入")
    cg1.shot("import-page")
    with cg1.page.expect_download() as download_info:
        cg1.page.click("a[href$='/import/template/food/']")
    template = download_info.value
    assert template.suggested_filename.endswith(".xlsx")
    template_path = tmp_path / "template.xlsx"
    template.save_as(template_path)
    content = template_path.read_bytes()
    headers = [str(c.value) for c in load_workbook(io.BytesIO(content)).worksheets[0][2]]
    assert headers[0] == "单位名称*"

    rows = [
        {"单位名称": "滨河人家饭店", "统一社会信用代码": wrong_code, "所在村（社区）或乡镇（街道）": "城关镇",
         "小类": "餐饮服务单位", "地址": "城关镇滨河路８号", "联系电话": 13912345678.0, "开业日期": "2023.5.6",
         "餐位数": "６０"},
        {"单位名称": "老街面馆", "所在村（社区）或乡镇（街道）": "河东镇", "小类": "餐饮服务单位"},
        {"单位名称": "", "所在村（社区）或乡镇（街道）": "城关镇/李家村", "地址": "李家村口"},
        {"单位名称": "李家村小吃店", "所在村（社区）或乡镇（街道）": "城关镇/李家村", "开业日期": "2023年13月1日"},
    ]  # fmt: skip
    bad = tmp_path / "城关镇餐饮单位.xlsx"
    bad.write_bytes(filled(content, rows))
    cg1.page.select_option("#id_category", label="食品安全")
    cg1.page.set_input_files("#id_file", str(bad))
    cg1.page.click("main form[enctype] button[type=submit]")
    cg1.page.wait_for_selector(".errors-table")
    table = cg1.page.inner_text(".errors-table")
    assert "校验码" in table and "河东镇" in table and "不能为空" in table and "不是有效日期" in table
    assert "统一社会信用代码" in table and "开业日期" in table
    cg1.shot("sheet-with-mistakes")
    assert not Unit.objects.filter(name="滨河人家饭店").exists()

    rows[0]["统一社会信用代码"] = good_code
    rows[1]["所在村（社区）或乡镇（街道）"] = "城关镇/王庄村"
    rows[2]["单位名称"] = "李家村口早点铺"
    rows[3]["开业日期"] = "2023年12月1日"
    fixed = tmp_path / "城关镇餐饮单位（改）.xlsx"
    fixed.write_bytes(filled(content, rows))
    cg1.page.click("text=上传修改后的表格")
    cg1.page.select_option("#id_category", label="食品安全")
    cg1.page.set_input_files("#id_file", str(fixed))
    cg1.page.click("main form[enctype] button[type=submit]")
    cg1.page.wait_for_selector("text=确认导入")
    assert "全部 4 行检查无误" in cg1.page.inner_text("main")
    cg1.shot("preview-ready")
    cg1.page.click("main button:has-text('确认导入')")
    cg1.page.wait_for_selector("text=已导入 4 个单位")
    cg1.shot("imported")
    made = Unit.objects.get(name="滨河人家饭店")
    assert made.credit_code == good_code and made.phone == "13912345678" and made.address == "城关镇滨河路8号"
    assert str(made.opened_on) == "2023-05-06" and made.extra["seats"] == 60
    cg1.page.click("text=查看单位")
    cg1.page.fill("#id_q", "bhrj")
    cg1.page.click("main form.filters button[type=submit]")
    assert "滨河人家饭店" in cg1.page.inner_text("main")
    cg1.shot("found-in-list")

    cg1.goto("/units/duplicates/")
    cg1.shot("possible-duplicates")
    first_pair = cg1.page.locator("a:has-text('合并…')").first
    first_pair.click()
    cg1.page.wait_for_selector("table.merge")
    cg1.shot("merge-side-by-side")
    cg1.page.locator("input[name='take.name'][value='a']").check()
    cg1.page.click("main button[type=submit]:has-text('合并')")
    cg1.page.wait_for_selector("text=已合并到")
    body = cg1.page.inner_text("main")
    assert "已合并到本单位" in body
    cg1.shot("merged-unit-file")
    merged = Unit.objects.exclude(merged_into=None).get()
    cg1.goto(f"/units/{merged.pk}/")
    assert str(merged.merged_into_id) in cg1.page.url

    # A large sheet runs in the background: the page polls its progress
    # (htmx, every second) and reloads itself when the check is done.
    running = ImportBatch.objects.create(
        created_by=demo.users["cg1"],
        area=demo.townships[0],
        category=made.category,
        original_name="全镇餐饮单位.xlsx",
        status="parsing",
        done=1200,
        total=4800,
    )
    cg1.goto(f"/units/import/{running.pk}/")
    assert cg1.page.get_attribute("progress.bar", "value") == "1200"
    cg1.shot("background-progress")
    ImportBatch.objects.filter(pk=running.pk).update(done=3600)
    cg1.page.wait_for_selector("progress.bar[value='3600']")
    ImportBatch.objects.filter(pk=running.pk).update(status="ready", done=4800)
    cg1.page.wait_for_selector("main button:has-text('确认导入')")
    cg1.shot("background-checked")

    desk = journey(DESKTOP, "cg1-desktop")
    desk.login("cg1", DEMO_PASSWORD)
    desk.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    desk.goto(
        f"/units/{merged.merged_into_id}/merge/{Unit.objects.filter(area=made.area).exclude(pk=merged.merged_into_id).first().pk}/"
    )
    desk.shot("merge-page-desktop")
    desk.goto("/units/import/")
    desk.shot("import-page-desktop")

    dh1 = journey(PHONE, "dh1")
    dh1.login("dh1", DEMO_PASSWORD)
    dh1.page.wait_for_url(lambda url: "/accounts/login/" not in url)
    dh1.goto("/units/?q=滨河人家")
    assert "滨河人家饭店" not in dh1.page.inner_text("main")
    dh1.shot("neighbour-list")
    assert dh1.goto(f"/units/{made.pk}/").status == 404
    batch = ImportBatch.objects.filter(status="imported").get()
    assert dh1.goto(f"/units/import/{batch.pk}/").status == 404
    dh1.goto("/units/import/")
    assert "城关镇餐饮单位" not in dh1.page.inner_text("main")
    dh1.goto("/units/duplicates/")
    assert "城关" not in dh1.page.inner_text("main table")
    dh1.shot("neighbour-duplicates")
