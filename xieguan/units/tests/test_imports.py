"""Excel import of units: the template, messy sheets, bad files, errors with
row/column/reason, nothing imported on error, confirm and cancel (idempotent,
scoped), the background path with progress, duplicates flagged."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from xieguan.core.models import AuditEvent
from xieguan.core.tabular import BadFile, cell_text, find_header, parse_date, read_rows
from xieguan.units import batches, imports
from xieguan.units.models import Category, ImportBatch, ImportStatus, Unit
from xieguan.units.tests.factories import credit_code, make_unit

HEADERS = ["单位名称", "统一社会信用代码", "村（社区）或乡镇", "小类", "地址", "法定代表人（负责人）", "联系电话",
           "开业日期", "餐位数", "食品经营许可证号"]  # fmt: skip


def sheet_bytes(rows, *, title=None, merged=None) -> bytes:
    book = Workbook()
    ws = book.active
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    for rng in merged or []:
        ws.merge_cells(rng)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "units.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def food_row(name="福满饭店", code="", area="城关镇", **over):
    row = {
        "单位名称": name,
        "统一社会信用代码": code,
        "村（社区）或乡镇": area,
        "小类": "餐饮服务单位",
        "地址": f"城关镇解放路{len(name)}号{name}",
        "法定代表人（负责人）": "王建国",
        "联系电话": "13800000000",
        "开业日期": "2023-05-06",
        "餐位数": 40,
        "食品经营许可证号": "JY1234",
    }
    row.update(over)
    return [row[h] for h in HEADERS]


@pytest.fixture
def food(db):
    return Category.objects.get(code="food")


# ---- cells -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2023.5.6", "2023年5月6日", "2023/5/6", "2023-05-06", "２０２３－０５－０６", "20230506", 45052, 45052.0,
     datetime.datetime(2023, 5, 6, 0, 0), datetime.date(2023, 5, 6), " 2023 年 5 月 6 日 "],
)  # fmt: skip
def test_dates_as_people_write_them(value):
    assert parse_date(value) == datetime.date(2023, 5, 6)


@pytest.mark.parametrize("value", ["2023-02-30", "明天", "5/6", -3])
def test_what_is_no_date_raises(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(13800000000.0, "13800000000"), (1.38e10, "13800000000"), ("１３８ ０００", "138 000"), ("  红星\u3000酒店  ", "红星 酒店"),
     (12.5, "12.5"), (None, "")],
)  # fmt: skip
def test_cell_text_folds_width_spaces_and_float_numbers(value, text):
    assert cell_text(value) == text


def test_header_found_below_a_title_in_any_order_with_aliases_and_noise():
    table = [
        (1, ["示范县餐饮单位登记表", None, None]),
        (2, ["名称 ", "联系电话＊", "所属区域（必填）"]),
        (3, ["红星酒店", "138", "城关镇"]),
    ]
    start, columns, written = find_header(
        table, {"name": ["单位名称", "名称"], "phone": ["联系电话"], "area": ["所属区域"]}
    )
    assert start == 2
    assert columns == {"name": 0, "phone": 1, "area": 2}
    assert written[0] == "名称"


# ---- bad files -----------------------------------------------------------------


def _zip_with(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.xlsx", "文件是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", ".xls"),
        (b"PK\x03\x04broken", "broken.xlsx", "已损坏"),
        (_zip_with("word/document.xml"), "letter.xlsx", "Word"),
        (b"%PDF-1.4 hello", "scan.pdf", "不是 Excel"),
    ],
)
def test_bad_files_get_a_clear_chinese_message_and_no_batch(demo, comanager_in, food, content, name, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content, name))
    assert message in " ".join(caught.value.message_dict["file"])
    assert ImportBatch.objects.count() == 0


def test_huge_file_is_refused_before_reading(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(BadFile) as caught:
        read_rows(io.BytesIO(b"x" * 2048), name="big.xlsx")
    assert "MB" in str(caught.value)


# ---- the template ----------------------------------------------------------------


def test_template_has_headers_lists_example_and_instructions(demo, login, comanager_in, food):
    response = login(comanager_in).get(reverse("units:import_template", args=["food"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    ws = book.worksheets[0]
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["单位名称*", "统一社会信用代码", "所在村（社区）或乡镇（街道）*"]
    assert "餐位数※" in headers and "食品经营许可证号※" in headers
    assert ws.cell(3, 1).value.startswith("（示例）")
    lists = book["lists"]
    area_col = headers.index("所在村（社区）或乡镇（街道）*") + 1
    areas = [lists.cell(r, area_col).value for r in range(2, 10)]
    assert "城关镇" in areas and "城关镇/李家村" in areas
    assert not any(a and a.startswith("河东") for a in areas)  # dh1's township is not cg1's
    sources = {next(iter(dv.sqref.ranges)).min_col: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert area_col in sources
    assert len(sources) >= 6  # area, subtype, status, key unit, risk, hygiene grade
    assert book.worksheets[1].cell(1, 1).value == "填写说明"


def test_the_template_itself_imports_nothing_but_is_readable(demo, comanager_in, food):
    content = imports.template_xlsx(food, comanager_in)
    result = imports.check_sheet(comanager_in, food, read_rows(io.BytesIO(content), name="t.xlsx"))
    assert [e["reason"] for e in result.errors] == ["表格有表头，但下面没有单位。"]


def test_a_filled_template_round_trips(demo, comanager_in, food):
    book = load_workbook(io.BytesIO(imports.template_xlsx(food, comanager_in)))
    ws = book.worksheets[0]
    keys = [c.key for c in imports.columns_for(food, [])]
    assert len(keys) == len(ws[2])
    values = {"name": "金源饭店", "area": "城关镇/李家村", "subtype": "餐饮服务单位", "status": "停业",
              "is_key_unit": "是", "risk_grade": "高", "hygiene_grade": "B", "opened_on": "2021年3月4日",
              "extra.seats": "６０"}  # fmt: skip
    ws.append([values.get(k) for k in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    result = imports.check_sheet(comanager_in, food, read_rows(io.BytesIO(buffer.getvalue()), name="t.xlsx"))
    assert result.errors == []
    (row, clean) = result.rows[0]
    assert row == 4
    assert clean["area"] == demo.villages[1]
    assert (clean["status"], clean["is_key_unit"], clean["risk_grade"], clean["hygiene_grade"]) == (
        "suspended", True, "high", "B",
    )  # fmt: skip
    assert clean["opened_on"] == datetime.date(2021, 3, 4)
    assert clean["extra"] == {"seats": 60}


# ---- checking rows ----------------------------------------------------------------


def test_messy_sheet_is_understood(demo, comanager_in, food):
    code = credit_code(501)
    rows = [
        ["单位名称", "联系方式", None, "统一社会信用代码 ", "ＸＸ"],  # merged header over two rows
        [None, "联系电话", "地址", None, None],
        [
            "  福满\u3000饭店 ",
            13800000000.0,
            "城关镇解放路１８号",
            " " + code.lower()[:9] + " " + code.lower()[9:],
            "x",
        ],
    ]
    table = read_rows(io.BytesIO(sheet_bytes(rows, title="示范县城关镇餐饮单位台账")), name="m.xlsx")
    _start, columns, _written = find_header(
        table, {c.key: [str(c.label), *c.aliases] for c in imports.columns_for(food, [])}
    )
    assert columns["phone"] == 1 and columns["address"] == 2 and columns["credit_code"] == 3
    # No area column: the row-level message names the missing column.
    result = imports.check_sheet(comanager_in, food, table)
    assert result.errors[0]["reason"].startswith("表格中没有")
    rows[0].append("乡镇")
    rows[1].append(None)
    rows[2].append("城关镇")
    table = read_rows(io.BytesIO(sheet_bytes(rows, title="示范县城关镇餐饮单位台账")), name="m.xlsx")
    result = imports.check_sheet(comanager_in, food, table)
    assert result.errors == []
    clean = result.rows[0][1]
    assert clean["name"] == "福满 饭店"
    assert clean["phone"] == "13800000000"
    assert clean["address"] == "城关镇解放路18号"
    assert clean["credit_code"] == code


def test_every_bad_row_is_listed_with_row_column_and_reason(demo, comanager_in, food):
    taken = make_unit(comanager_in, demo.townships[0], name="老店", credit_code=credit_code(601))
    bad_check = credit_code(602)[:-1] + ("0" if credit_code(602)[-1] != "0" else "1")
    rows = [
        HEADERS,
        food_row("好运饭店"),
        food_row("", code=""),  # row 3: no name
        food_row("鑫隆饭店", code=bad_check),  # row 4: wrong check character
        food_row("兴旺饭店", area="河东镇"),  # row 5: the neighbour's township
        food_row("东方饭店", 开业日期="2023.13.45"),  # row 6: no such date
        food_row("平安饭店", code=credit_code(603)),
        food_row("吉祥饭店", code=credit_code(603)),  # row 8: same code as row 7
        food_row("长青饭店", code=taken.credit_code),  # row 9: taken in the county
        food_row("明珠饭店", 联系电话="1.38E+10", 餐位数="很多"),  # row 10: two mistakes
    ]
    table = read_rows(io.BytesIO(sheet_bytes(rows, title="餐饮单位")), name="e.xlsx")
    result = imports.check_sheet(comanager_in, food, table)
    got = {(e["row"], e["column"]) for e in result.errors}
    assert got == {
        (4, "单位名称"),
        (5, "统一社会信用代码"),
        (6, "村（社区）或乡镇"),
        (7, "开业日期"),
        (9, "统一社会信用代码"),
        (10, "统一社会信用代码"),
        (11, "联系电话"),
        (11, "餐位数"),
    }
    reasons = {(e["row"], e["column"]): e["reason"] for e in result.errors}
    assert "校验码" in reasons[(5, "统一社会信用代码")]
    assert "河东镇" in reasons[(6, "村（社区）或乡镇")]
    assert "第 8 行" in reasons[(9, "统一社会信用代码")]
    assert "老店" in reasons[(10, "统一社会信用代码")]
    assert "文本" in reasons[(11, "联系电话")]


def test_upload_with_errors_imports_nothing_and_cannot_be_confirmed(demo, comanager_in, food):
    before = Unit.objects.count()
    content = sheet_bytes([HEADERS, food_row("好运饭店"), food_row("", code="")])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [{"row": 3, "column": "单位名称", "reason": "不能为空，必须填写"}]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert Unit.objects.count() == before


def test_upload_confirm_imports_every_row_once_with_audit(demo, comanager_in, food):
    before_units, before_events = Unit.objects.count(), AuditEvent.objects.count()
    content = sheet_bytes(
        [HEADERS, food_row("好运饭店", code=credit_code(701)), food_row("金鼎饭店", area="城关镇/王庄村")]
    )
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    assert batch.status == ImportStatus.READY
    assert Unit.objects.count() == before_units  # nothing before the confirm
    batch = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert (batch.status, batch.created_count) == (ImportStatus.IMPORTED, 2)
    again = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert again.created_count == 2
    assert Unit.objects.count() == before_units + 2
    made = Unit.objects.get(name="金鼎饭店")
    assert made.area == demo.villages[2] and made.is_complete and made.name_initials == "jdfd"
    assert made.extra == {"seats": 40, "food_licence_no": "JY1234"}
    assert AuditEvent.objects.for_object(made).get().changes["name"] == [None, "金鼎饭店"]
    assert AuditEvent.objects.count() == before_events + 1 + 2 + 1  # upload, two units, the import
    assert made.history.count() == 1


def test_same_upload_sent_twice_makes_one_batch(demo, comanager_in, food):
    import uuid

    batch_id = uuid.uuid4()
    content = sheet_bytes([HEADERS, food_row("好运饭店")])
    first = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content), id=batch_id)
    second = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content), id=batch_id)
    assert first.pk == second.pk == batch_id
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "suffix"),
    [("../../outreach/x.xlsx", ".xlsx"), ("台账.XLSX/../../../a.php", ".xlsx"), ("a.csv", ".xlsx")],
)
def test_the_stored_workbook_is_named_by_the_server_not_the_sender(
    demo, comanager_in, food, settings, tmp_path, name, suffix
):
    settings.MEDIA_ROOT = tmp_path
    content = sheet_bytes([HEADERS, food_row("好运饭店")])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content, name))
    assert batch.file.name == f"imports/units/{batch.created_at:%Y/%m}/{batch.pk}{suffix}"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{batch.pk}{suffix}"]


def test_confirm_checks_again_and_refuses_a_code_taken_meanwhile(demo, comanager_in, food):
    content = sheet_bytes([HEADERS, food_row("好运饭店", code=credit_code(801))])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    make_unit(comanager_in, demo.townships[0], name="抢先饭店", credit_code=credit_code(801))
    batch = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert batch.status == ImportStatus.FAILED
    assert "抢先饭店" in batch.errors[0]["reason"]
    assert not Unit.objects.filter(name="好运饭店").exists()


def test_cancel_is_idempotent_and_a_cancelled_batch_cannot_be_imported(demo, comanager_in, food):
    from django.core.exceptions import ValidationError

    content = sheet_bytes([HEADERS, food_row("好运饭店")])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    batches.import_batch_cancel(actor=comanager_in, batch=batch)
    batch = batches.import_batch_cancel(actor=comanager_in, batch=batch)
    assert batch.status == ImportStatus.CANCELLED
    with pytest.raises(ValidationError):
        batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert not Unit.objects.filter(name="好运饭店").exists()


def test_large_sheet_is_checked_and_imported_in_the_background(demo, comanager_in, food, settings, monkeypatch):
    monkeypatch.setattr(imports, "BACKGROUND_ROWS", 5)
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 3)
    seen = []
    real = imports._progress_saver

    def spy(batch):
        save = real(batch)

        def wrapped(done, total):
            seen.append((done, total))
            save(done, total)

        return wrapped

    monkeypatch.setattr(imports, "_progress_saver", spy)
    enqueued = []
    from types import SimpleNamespace

    from xieguan.units import tasks

    check_task, import_task = tasks.import_batch_check_task, tasks.import_batch_import_task
    monkeypatch.setattr(
        tasks, "import_batch_check_task", SimpleNamespace(enqueue=lambda i: enqueued.append(("check", i)))
    )
    monkeypatch.setattr(
        tasks, "import_batch_import_task", SimpleNamespace(enqueue=lambda i: enqueued.append(("import", i)))
    )
    rows = [HEADERS] + [food_row(f"第{i}饭店", 地址=f"人民路{i}号") for i in range(1, 9)]
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(sheet_bytes(rows)))
    assert batch.status == ImportStatus.PARSING and batch.total == 9  # header + 8 rows read
    assert enqueued == [("check", str(batch.pk))]
    check_task.call(str(batch.pk))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY
    assert seen == [(3, 8), (6, 8), (8, 8)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = batches.import_batch_confirm(actor=comanager_in, batch=batch)
    assert batch.status == ImportStatus.IMPORTING
    assert enqueued[-1] == ("import", str(batch.pk))
    assert not Unit.objects.filter(name="第1饭店").exists()
    import_task.call(str(batch.pk))
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == (ImportStatus.IMPORTED, 8)
    assert Unit.objects.filter(name__endswith="饭店", name__startswith="第").count() == 8


def test_progress_partial_polls_while_running_and_refreshes_when_done(demo, login, comanager_in, food):
    batch = ImportBatch.objects.create(
        created_by=comanager_in,
        area=demo.townships[0],
        category=food,
        status=ImportStatus.PARSING,
        done=250,
        total=1000,
    )
    client = login(comanager_in)
    url = reverse("units:import_detail", args=[batch.pk])
    response = client.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="250"' in body and 'max="1000"' in body
    assert "HX-Refresh" not in response
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.READY)
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_bench_function_imports_a_file(demo, comanager_in, food, tmp_path):
    path = tmp_path / "bench.xlsx"
    path.write_bytes(sheet_bytes([HEADERS] + [food_row(f"测{i}号饭店", 地址=f"人民路{i}号") for i in range(30)]))
    assert imports.import_rows_for_bench(comanager_in, food, path) == 30


# ---- duplicates in the preview ------------------------------------------------------


def test_preview_flags_near_identical_rows_and_registered_units(demo, comanager_in, food):
    make_unit(comanager_in, demo.townships[0], name="红星大酒店有限公司", address="示范县城关镇人民路18号")
    rows = [
        HEADERS,
        food_row("城关镇红星大酒店", 地址="城关镇人民路 １８ 号"),  # row 2 ~ registered unit
        food_row("阳光面馆", 地址="建设路3号"),
        food_row("阳光面馆。", 地址="建设路3号"),  # row 4 ~ row 3
        food_row(
            "阳光面馆", **{"地址": "建设路3号", "村（社区）或乡镇": "城关镇/李家村"}
        ),  # same township: also flagged
        food_row("月亮面馆", 地址="文化路9号"),
    ]
    result = imports.check_sheet(comanager_in, food, read_rows(io.BytesIO(sheet_bytes(rows)), name="d.xlsx"))
    assert result.errors == []
    flagged = {(d["row"], d.get("other_row"), d["other_name"]) for d in result.duplicates}
    assert (2, None, "红星大酒店有限公司") in flagged
    assert (4, 3, "阳光面馆") in flagged
    assert (5, 3, "阳光面馆") in flagged
    assert not any(d["row"] == 6 for d in result.duplicates)


# ---- pages and scope -------------------------------------------------------------


def test_import_page_uploads_and_shows_the_errors_table(demo, login, comanager_in, food):
    client = login(comanager_in)
    page = client.get(reverse("units:import_start"))
    assert page.status_code == 200
    content = sheet_bytes([HEADERS, food_row("好运饭店"), food_row("", code="")], title="餐饮")
    response = client.post(reverse("units:import_start"), {"category": food.pk, "file": upload(content)}, follow=True)
    body = response.content.decode()
    assert "不能为空，必须填写" in body and ">4<" in body and "单位名称" in body
    assert Unit.objects.filter(name="好运饭店").count() == 0


def test_import_page_keeps_the_form_on_a_bad_file(demo, login, comanager_in, food):
    response = login(comanager_in).post(
        reverse("units:import_start"), {"category": food.pk, "file": upload(b"%PDF-1.4", "x.pdf")}
    )
    assert response.status_code == 200
    assert "不是 Excel" in response.content.decode()


def test_batch_page_inside_and_above(login, comanager_in, food, inside_or_above):
    """Beside and read-only above: the route sweep (units:import_*)."""
    batch = batches.import_batch_create(
        actor=comanager_in, category=food, upload=upload(sheet_bytes([HEADERS, food_row("好运饭店")]))
    )
    assert login(inside_or_above).get(reverse("units:import_detail", args=[batch.pk])).status_code == 200


def test_batch_list_is_scoped_and_constant_in_queries(demo, login, comanager_in, outsider, food):
    from xieguan.core.testing import assert_constant_queries

    def add():
        for i in range(3):
            batches.import_batch_create(
                actor=comanager_in,
                category=food,
                upload=upload(sheet_bytes([HEADERS, food_row(f"店{i}")]), f"f{i}.xlsx"),
            )

    client = login(comanager_in)
    add()
    assert_constant_queries(lambda: client.get(reverse("units:import_start")), add, exactly=12)
    assert "f0.xlsx" in client.get(reverse("units:import_start")).content.decode()
    assert "f0.xlsx" not in login(outsider).get(reverse("units:import_start")).content.decode()


def test_confirm_page_post_imports(demo, login, comanager_in, food):
    batch = batches.import_batch_create(
        actor=comanager_in, category=food, upload=upload(sheet_bytes([HEADERS, food_row("好运饭店")]))
    )
    client = login(comanager_in)
    response = client.post(reverse("units:import_confirm", args=[batch.pk]), follow=True)
    assert "已导入 1 个单位" in response.content.decode()
    client.post(reverse("units:import_confirm", args=[batch.pk]))
    assert Unit.objects.filter(name="好运饭店").count() == 1


def test_the_supervisor_above_confirms_and_is_recorded_as_the_maker(demo, comanager_in, supervisor_of, food):
    batch = batches.import_batch_create(
        actor=comanager_in, category=food, upload=upload(sheet_bytes([HEADERS, food_row("好运饭店")]))
    )
    batches.import_batch_confirm(actor=supervisor_of, batch=batch)
    made = Unit.objects.get(name="好运饭店")
    assert AuditEvent.objects.for_object(made).get().actor == supervisor_of


def test_preview_shows_the_first_rows_as_they_will_be_stored(demo, login, comanager_in, food):
    """Issue 20 finding 9: the preview showed only a count. Now the first
    rows show as stored: a date written 2023年5月6日 as 2023-05-06, the
    village under its township, the subtype's name, a phone without its
    spaces, the status's word."""
    rows = [
        [*HEADERS, "经营状态"],
        [*food_row("好运饭店", area="城关镇/李家村", 开业日期="2023年5月6日", 联系电话="138 0000 1111"), "停业"],
        [*food_row("福满饭店", 开业日期=45052), None],
    ]
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(sheet_bytes(rows)))
    assert batch.status == ImportStatus.READY
    page = login(comanager_in).get(reverse("units:import_detail", args=[batch.pk])).content.decode()
    import lxml.html

    table = lxml.html.fromstring(page).xpath('//table[@id="import-preview"]')[0]
    headers = [th.text_content() for th in table.xpath(".//thead//th")]
    body = [[td.text_content() for td in tr.xpath("./td")] for tr in table.xpath(".//tbody/tr")]
    first, second = (dict(zip(headers, values, strict=True)) for values in body)
    AREA = "所在村（社区）或乡镇（街道）"  # the template's header, whatever the sheet wrote
    assert first["行"] == "2" and first["单位名称"] == "好运饭店"
    assert first[AREA] == "城关镇/李家村" and second[AREA] == "城关镇"
    assert first["开业日期"] == "2023-05-06" and second["开业日期"] == "2023-05-06"
    assert first["联系电话"] == "13800001111"
    assert first["小类"] == "餐饮服务单位"
    assert first["经营状态"] == "停业" and second["经营状态"] == "营业"
    assert first["餐位数"] == "40"


def test_a_row_with_a_short_phone_is_refused_in_the_import(demo, comanager_in, food):
    rows = [HEADERS, food_row("好运饭店", 联系电话="1380000")]
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(sheet_bytes(rows)))
    assert batch.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "联系电话")]
    assert "11 位手机号" in batch.errors[0]["reason"]
    assert not Unit.objects.filter(name="好运饭店").exists()
