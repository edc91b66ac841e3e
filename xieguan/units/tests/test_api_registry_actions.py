"""The registry pages' import, duplicates, merge, export, 建档率 and unit
file through the API (issue 19 item 2): the same batches, services and
selectors as the pages, scoped the same."""

import datetime
import io
import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.units.models import ImportBatch, ImportStatus, Licence, Unit
from xieguan.units.selectors import filing_rate_by_township
from xieguan.units.tests.factories import credit_code, make_unit
from xieguan.units.tests.test_imports import HEADERS, food_row, sheet_bytes

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese_error(response, status=422):
    assert response.status_code == status, response.content
    assert CHINESE.search(response.json()["detail"]), response.json()
    return response.json()


def post_json(url, headers, data=None):
    return Client().post(url, json.dumps(data or {}), content_type="application/json", **headers)


def upload_batch(headers, content, *, category="food", batch_id=None, name="units.xlsx"):
    data = {"category": category, "file": SimpleUploadedFile(name, content)}
    if batch_id:
        data["id"] = batch_id
    return Client().post("/api/unit-imports", data, **headers)


# ---- import: upload → check → confirm / cancel ---------------------------------


def test_upload_check_and_confirm_with_progress_idempotent_on_id(demo, api_token):
    headers = api_token(demo.users["cg1"])
    content = sheet_bytes([HEADERS, food_row("好运饭店", code=credit_code(711)), food_row("金鼎饭店")])
    batch_id = str(uuid.uuid4())
    made = upload_batch(headers, content, batch_id=batch_id)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["id"] == batch_id and body["status"] == "ready" and body["total"] == 2 and not body["is_running"]
    assert body["preview"]["rows"] and body["errors"] == []
    again = upload_batch(headers, content, batch_id=batch_id)
    assert again.status_code == 200 and ImportBatch.objects.filter(pk=batch_id).count() == 1
    before = Unit.objects.count()
    detail = Client().get(f"/api/unit-imports/{batch_id}", **headers).json()
    assert detail["status_label"] and detail["percent"] in (0, 100)
    confirmed = post_json(f"/api/unit-imports/{batch_id}/confirm", headers)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "imported"
    assert confirmed.json()["created_count"] == 2 and Unit.objects.count() == before + 2
    assert post_json(f"/api/unit-imports/{batch_id}/confirm", headers).json()["created_count"] == 2
    assert Unit.objects.count() == before + 2
    chinese_error(post_json(f"/api/unit-imports/{batch_id}/cancel", headers))
    assert AuditEvent.objects.filter(action="unit_import.upload", object_id=batch_id).count() == 1


def test_a_sheet_with_errors_cannot_be_confirmed_and_is_cancelled(demo, api_token):
    headers = api_token(demo.users["cg1"])
    made = upload_batch(headers, sheet_bytes([HEADERS, food_row("")])).json()
    assert made["status"] == "failed" and made["errors"][0]["column"] == "单位名称"
    before = Unit.objects.count()
    chinese_error(post_json(f"/api/unit-imports/{made['id']}/confirm", headers), 409)  # the batch's state: a conflict
    cancelled = post_json(f"/api/unit-imports/{made['id']}/cancel", headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == ImportStatus.CANCELLED
    assert post_json(f"/api/unit-imports/{made['id']}/cancel", headers).status_code == 200
    assert Unit.objects.count() == before


def test_bad_uploads_are_refused_in_chinese_and_store_nothing(demo, api_token):
    headers = api_token(demo.users["cg1"])
    before = ImportBatch.objects.count()
    chinese_error(upload_batch(headers, b"not a sheet", name="x.xlsx"))
    chinese_error(upload_batch(headers, sheet_bytes([HEADERS]), category="nothing"))
    chinese_error(Client().post("/api/unit-imports", {"category": "food"}, **headers))
    chinese_error(upload_batch(api_token(demo.users["cun1"]), sheet_bytes([HEADERS, food_row("好运饭店")])), 403)
    assert ImportBatch.objects.count() == before


def test_a_batch_of_another_township_is_404_without_its_name(demo, api_token):
    batch_id = upload_batch(
        api_token(demo.users["cg1"]), sheet_bytes([HEADERS, food_row("好运饭店")]), name="城关镇单位.xlsx"
    ).json()["id"]
    dh1 = api_token(demo.users["dh1"])
    for response in (
        Client().get(f"/api/unit-imports/{batch_id}", **dh1),
        post_json(f"/api/unit-imports/{batch_id}/confirm", dh1),
        post_json(f"/api/unit-imports/{batch_id}/cancel", dh1),
    ):
        assert response.status_code == 404 and "城关镇单位" not in response.content.decode()
    assert "城关镇单位" not in Client().get("/api/unit-imports", **dh1).content.decode()
    chinese_error(post_json(f"/api/unit-imports/{batch_id}/confirm", api_token(demo.users["city"])), 403)
    assert ImportBatch.objects.get(pk=batch_id).status == ImportStatus.READY


def test_batch_list_costs_constant_queries(demo, api_token):
    cg1 = demo.users["cg1"]
    headers = api_token(cg1)
    counter = iter(range(100))

    def grow():
        for _n in range(2):
            upload_batch(headers, sheet_bytes([HEADERS, food_row(f"好运{next(counter)}号饭店")]))

    grow()
    listed = Client().get("/api/unit-imports", **headers).json()["items"]
    assert len(listed) == 2 and listed[0]["category"] == "food"
    assert_constant_queries(lambda: Client().get("/api/unit-imports", **headers), grow, exactly=3)


def test_the_template_is_a_workbook_for_those_who_may_import(demo, api_token):
    response = Client().get("/api/unit-imports/template/food", **api_token(demo.users["cg1"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "单位名称" in str([c.value for c in load_workbook(io.BytesIO(response.content)).active[2]])
    assert Client().get("/api/unit-imports/template/nothing", **api_token(demo.users["cg1"])).status_code == 404
    chinese_error(Client().get("/api/unit-imports/template/food", **api_token(demo.users["cun1"])), 403)


# ---- possible duplicates and merging ------------------------------------------------


@pytest.fixture
def pair(demo):
    cg1 = demo.users["cg1"]
    first = make_unit(cg1, demo.townships[0], name="福满楼饭店", address="城关镇人民路18号")
    second = make_unit(
        cg1,
        demo.villages[1],
        name="福满楼饭店有限公司",
        address="示范县城关镇人民路１８号",
        credit_code=credit_code(931),
        phone="13911112222",
    )
    Licence.objects.create(unit=second, kind="食品经营许可证", number="JY9", expires_on=datetime.date(2027, 1, 1))
    return first, second


def test_duplicates_are_listed_scoped_and_in_constant_queries(demo, api_token, pair):
    first, second = pair
    headers = api_token(demo.users["cg1"])
    found = Client().get("/api/units/duplicates", **headers).json()
    assert [(p["first"]["id"], p["second"]["id"], p["reason"]) for p in found] == [
        (str(first.pk), str(second.pk), "name")
    ]
    assert found[0]["reason_label"] == "名称和地址相近"
    assert "福满楼" not in Client().get("/api/units/duplicates", **api_token(demo.users["dh1"])).content.decode()
    assert (
        Client()
        .get(f"/api/units/duplicates?area_id={demo.townships[0].pk}", **api_token(demo.users["dh1"]))
        .status_code
        == 404
    )
    counter = iter(range(100))

    def grow():
        n = next(counter)
        make_unit(demo.users["cg1"], demo.townships[0], name=f"阳光{n}号面馆", address=f"建设路{n}号")
        make_unit(demo.users["cg1"], demo.townships[0], name=f"阳光{n}号面馆。", address=f"建设路{n}号")

    assert_constant_queries(lambda: Client().get("/api/units/duplicates", **headers), grow, exactly=5)


def test_merge_moves_the_duplicate_into_the_unit(demo, api_token, pair):
    first, second = pair
    headers = api_token(demo.users["cg1"])
    body = {"merged_id": str(second.pk), "take_from_merged": ["credit_code", "phone"]}
    merged = post_json(f"/api/units/{first.pk}/merge", headers, body)
    assert merged.status_code == 200, merged.content
    assert merged.json()["credit_code"] == second.credit_code and merged.json()["name"] == "福满楼饭店"
    second.refresh_from_db()
    assert second.merged_into_id == first.pk and Licence.objects.get(number="JY9").unit_id == first.pk
    assert AuditEvent.objects.filter(action="unit.merge", object_id=str(first.pk)).count() == 1
    chinese_error(post_json(f"/api/units/{first.pk}/merge", headers, body), 409)  # already merged: the state


def test_merge_refused_beside_by_role_and_on_bad_input(demo, api_token, pair):
    first, second = pair
    body = {"merged_id": str(second.pk)}
    response = post_json(f"/api/units/{first.pk}/merge", api_token(demo.users["dh1"]), body)
    assert response.status_code == 404 and "福满楼" not in response.content.decode()
    chinese_error(post_json(f"/api/units/{first.pk}/merge", api_token(demo.users["city"]), body), 403)
    headers = api_token(demo.users["cg1"])
    chinese_error(post_json(f"/api/units/{first.pk}/merge", headers, {"merged_id": str(first.pk)}))
    chinese_error(post_json(f"/api/units/{first.pk}/merge", headers, {**body, "take_from_merged": ["password"]}))
    chinese_error(post_json(f"/api/units/{first.pk}/merge", headers, {"merged_id": "nope"}))
    second.refresh_from_db()
    assert second.merged_into_id is None


# ---- export, 建档率, the unit file -------------------------------------------------------


def test_export_holds_the_filtered_units_of_the_callers_area(demo, api_token, pair):
    make_unit(demo.users["dh1"], demo.townships[1], name="河东饭店", address="河东镇1号")
    response = Client().get("/api/units/export?q=福满楼", **api_token(demo.users["cg1"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "福满楼饭店" in names and "河东饭店" not in names
    beside = Client().get("/api/units/export", **api_token(demo.users["dh1"]))
    text = str(
        [
            c.value
            for row in load_workbook(io.BytesIO(b"".join(beside.streaming_content))).active.iter_rows()
            for c in row
        ]
    )
    assert "河东饭店" in text and "福满楼" not in text
    chinese_error(Client().get("/api/units/export?category=nothing", **api_token(demo.users["cg1"])))


def test_filing_rate_per_township_as_the_page_counts_it(demo, api_token, pair):
    bureau = demo.users["bureau"]
    rows = Client().get("/api/units/filing-rate", **api_token(bureau)).json()
    expected = filing_rate_by_township(bureau)
    assert [(r["township_name"], r["units"], r["complete"]) for r in rows] == [
        (r.township.name, r.units, r.complete) for r in expected
    ]
    assert any(r["units"] for r in rows)
    mine = Client().get("/api/units/filing-rate", **api_token(demo.users["dh1"])).json()
    assert [r["township_name"] for r in mine] == ["河东镇"]


def test_the_unit_file_pdf_inside_and_404_beside(demo, api_token, pair):
    first, _second = pair
    response = Client().get(f"/api/units/{first.pk}/file.pdf", **api_token(demo.users["cg1"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    beside = Client().get(f"/api/units/{first.pk}/file.pdf", **api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and "福满楼" not in beside.content.decode()
