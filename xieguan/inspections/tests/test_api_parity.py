"""The county patrol settings, monthly plans and the 巡查登记表 through the
API (issue 19 item 2): the same services as the pages, so the same scope,
audit and Chinese refusals."""

import io
import json
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.models import (
    ChecklistStatus,
    ChecklistTemplate,
    ForbiddenPhrase,
    FrequencyRule,
    MonthlyPlan,
)
from xieguan.inspections.services import plans
from xieguan.inspections.tests.factories import plain_unit, submitted

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def send(method, url, data, headers):
    return Client().generic(method, url, json.dumps(data), content_type="application/json", **headers)


def chinese_detail(response):
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return detail


# ---------------------------------------------------------------- checklists


def test_county_makes_edits_and_publishes_a_checklist_version(demo, api_token):
    headers = api_token(demo.users["bureau"])
    cid = str(uuid.uuid4())
    made = send("POST", "/api/checklists", {"id": cid, "category": "food"}, headers)
    assert made.status_code == 201, made.content
    body = made.json()
    national = ChecklistTemplate.objects.get(county__isnull=True, category__code="food", status="published")
    assert body["id"] == cid and body["status"] == "draft" and body["county_id"] == str(demo.county.pk)
    assert [i["code"] for i in body["items"]] == list(national.items.values_list("code", flat=True))

    again = send("POST", "/api/checklists", {"id": cid, "category": "food"}, headers)
    assert again.status_code == 200 and again.json()["id"] == cid
    assert ChecklistTemplate.objects.filter(county=demo.county).count() == 1
    assert AuditEvent.objects.filter(action="checklist.draft", object_id=cid).count() == 1

    items = {
        "title": "餐饮巡查表（本县）",
        "photos_required": 1,
        "items": [
            {"code": "A1", "text": "健康证", "basis": "食品安全法"},
            {"code": "A2", "text": "索证索票"},
        ],
    }
    edited = send("PUT", f"/api/checklists/{cid}/items", items, headers)
    assert edited.status_code == 200, edited.content
    assert [(i["code"], i["text"]) for i in edited.json()["items"]] == [("A1", "健康证"), ("A2", "索证索票")]
    assert AuditEvent.objects.filter(action="checklist.edit", object_id=cid).count() == 1

    published = send("POST", f"/api/checklists/{cid}/publish", {}, headers)
    assert published.status_code == 200 and published.json()["status"] == ChecklistStatus.PUBLISHED
    assert send("POST", f"/api/checklists/{cid}/publish", {}, headers).status_code == 200  # a retry
    assert AuditEvent.objects.filter(action="checklist.publish", object_id=cid).count() == 1

    refused = send("PUT", f"/api/checklists/{cid}/items", items, headers)
    assert refused.status_code == 422 and "新版本" in chinese_detail(refused)


def test_checklist_bad_input_and_roles_change_nothing(demo, api_token):
    bureau = api_token(demo.users["bureau"])
    unknown = send("POST", "/api/checklists", {"category": "nothing"}, bureau)
    assert unknown.status_code == 422 and chinese_detail(unknown)
    comanager = send("POST", "/api/checklists", {"category": "food"}, api_token(demo.users["cg1"]))
    assert comanager.status_code == 403 and chinese_detail(comanager)
    assert not ChecklistTemplate.objects.filter(county__isnull=False).exists()

    cid = send("POST", "/api/checklists", {"category": "food"}, bureau).json()["id"]
    twice = {"title": "表", "items": [{"code": "A1", "text": "甲"}, {"code": "A1", "text": "乙"}]}
    dup = send("PUT", f"/api/checklists/{cid}/items", twice, bureau)
    assert dup.status_code == 422 and "相同" in chinese_detail(dup)
    empty = send("PUT", f"/api/checklists/{cid}/items", {"title": "表", "items": []}, bureau)
    assert empty.status_code == 422 and chinese_detail(empty)
    national = ChecklistTemplate.objects.filter(county__isnull=True).first()
    locked = send(
        "PUT", f"/api/checklists/{national.pk}/items", {"title": "表", "items": [{"code": "1", "text": "甲"}]}, bureau
    )
    assert locked.status_code == 403 and chinese_detail(locked)
    draft = ChecklistTemplate.objects.get(pk=cid)
    assert draft.items.count() == national.items.filter().count() or draft.items.exists()
    assert not draft.items.filter(text__in=["甲", "乙"]).exists()


def test_township_beside_cannot_touch_the_county_draft(demo, api_token):
    cid = send("POST", "/api/checklists", {"category": "food"}, api_token(demo.users["bureau"])).json()["id"]
    for who in ("dh1", "cg1"):
        headers = api_token(demo.users[who])
        edit = send(
            "PUT", f"/api/checklists/{cid}/items", {"title": "越界", "items": [{"code": "1", "text": "越界"}]}, headers
        )
        publish = send("POST", f"/api/checklists/{cid}/publish", {}, headers)
        assert (edit.status_code, publish.status_code) == (404, 404), who
        assert "越界" not in edit.content.decode()
    assert ChecklistTemplate.objects.get(pk=cid).status == ChecklistStatus.DRAFT


# ---------------------------------------------------------------- frequency rules, phrases


def test_county_sets_reads_and_deletes_frequency_rules(demo, api_token):
    headers = api_token(demo.users["bureau"])
    rule = {"category": "food", "key_unit": None, "period": "month"}
    first = send("PUT", "/api/frequency-rules", rule, headers)
    assert first.status_code == 200, first.content
    second = send("PUT", "/api/frequency-rules", {**rule, "period": "quarter"}, headers)
    assert second.json()["id"] == first.json()["id"] and second.json()["period_label"] == "每季度"
    assert FrequencyRule.objects.get(county=demo.county, category__code="food").period == "quarter"
    assert AuditEvent.objects.filter(action="frequency_rule.set").count() == 2

    # Every township of the county reads the county's rules (its patrols follow them).
    listed = Client().get("/api/frequency-rules", **api_token(demo.users["dh1"]))
    assert [r["category"] for r in listed.json()] == ["food"]

    # It reads them but does not set or remove them: 403, as for setting one; an unknown id is 404.
    refused = send("DELETE", f"/api/frequency-rules/{first.json()['id']}", {}, api_token(demo.users["dh1"]))
    assert refused.status_code == 403 and chinese_detail(refused) and FrequencyRule.objects.exists()
    unknown = send("DELETE", f"/api/frequency-rules/{uuid.uuid4()}", {}, api_token(demo.users["dh1"]))
    assert unknown.status_code == 404 and chinese_detail(unknown)
    deleted = send("DELETE", f"/api/frequency-rules/{first.json()['id']}", {}, headers)
    assert deleted.status_code == 204 and not FrequencyRule.objects.exists()
    assert AuditEvent.objects.filter(action="frequency_rule.delete").count() == 1


def test_frequency_rule_bad_input_and_roles(demo, api_token):
    bad = send("PUT", "/api/frequency-rules", {"period": "weekly"}, api_token(demo.users["bureau"]))
    assert bad.status_code == 422 and chinese_detail(bad)
    unknown = send("PUT", "/api/frequency-rules", {"category": "x", "period": "month"}, api_token(demo.users["bureau"]))
    assert unknown.status_code == 422 and chinese_detail(unknown)
    comanager = send("PUT", "/api/frequency-rules", {"period": "month"}, api_token(demo.users["cg1"]))
    assert comanager.status_code == 403 and chinese_detail(comanager)
    assert not FrequencyRule.objects.exists()


def test_frequency_rule_list_costs_the_same_however_many(demo, api_token):
    from xieguan.inspections.services.checklists import frequency_rule_set
    from xieguan.units.models import Category

    headers = api_token(demo.users["cg1"])
    frequency_rule_set(actor=demo.users["bureau"], county=demo.county, category=None, key_unit=True, period="month")

    def grow():
        for category in Category.objects.all()[:3]:
            frequency_rule_set(
                actor=demo.users["bureau"], county=demo.county, category=category, key_unit=None, period="month"
            )

    assert_constant_queries(lambda: Client().get("/api/frequency-rules", **headers), grow, exactly=4)


def test_county_adds_and_removes_its_own_phrases(demo, api_token):
    headers = api_token(demo.users["bureau"])
    made = send("POST", "/api/forbidden-phrases", {"phrase": "顶格处罚"}, headers)
    assert made.status_code == 201 and made.json()["county_id"] == str(demo.county.pk)
    again = send("POST", "/api/forbidden-phrases", {"phrase": "顶格处罚"}, headers)
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    assert ForbiddenPhrase.objects.filter(phrase="顶格处罚").count() == 1
    listed = [p["phrase"] for p in Client().get("/api/forbidden-phrases", **api_token(demo.users["dh1"])).json()]
    assert "顶格处罚" in listed and "罚款" in listed

    empty = send("POST", "/api/forbidden-phrases", {"phrase": "！！"}, headers)
    assert empty.status_code == 422 and chinese_detail(empty)
    national = ForbiddenPhrase.objects.filter(county__isnull=True).first()
    refused = send("DELETE", f"/api/forbidden-phrases/{national.pk}", {}, headers)
    assert refused.status_code == 403 and chinese_detail(refused)
    beside = send("DELETE", f"/api/forbidden-phrases/{made.json()['id']}", {}, api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and ForbiddenPhrase.objects.filter(phrase="顶格处罚").exists()
    assert send("DELETE", f"/api/forbidden-phrases/{made.json()['id']}", {}, headers).status_code == 204
    assert not ForbiddenPhrase.objects.filter(phrase="顶格处罚").exists()
    assert AuditEvent.objects.filter(action__in=["phrase.add", "phrase.delete"]).count() == 2


# ---------------------------------------------------------------- monthly plans


@pytest.fixture
def due_unit(township):
    return plain_unit(township, name="城关镇百货大楼")


def test_plan_made_from_what_is_due_once_per_id_and_month(demo, api_token, township, due_unit):
    headers = api_token(demo.users["cg1"])
    today = timezone.localdate()
    pid = str(uuid.uuid4())
    body = {"id": pid, "township_id": str(township.pk), "year": today.year, "month": today.month}
    made = send("POST", "/api/monthly-plans", body, headers)
    assert made.status_code == 201, made.content
    assert made.json()["id"] == pid and due_unit.name in [i["unit_name"] for i in made.json()["items"]]
    again = send("POST", "/api/monthly-plans", body, headers)
    assert again.status_code == 200 and again.json()["id"] == pid
    other_id = send("POST", "/api/monthly-plans", {**body, "id": str(uuid.uuid4())}, headers)
    assert other_id.status_code == 200 and other_id.json()["id"] == pid  # the month has its plan
    assert MonthlyPlan.objects.count() == 1
    assert AuditEvent.objects.filter(action="plan.make", object_id=pid).count() == 1


def test_plan_units_added_removed_and_done(demo, api_token, township, due_unit):
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    headers = api_token(cg1)
    today = timezone.localdate()
    plan = plans.plan_prefill(actor=cg1, township=township, year=today.year, month=today.month, units=[])
    extra = plain_unit(township, name="城关镇新华书店")
    added = send("POST", f"/api/monthly-plans/{plan.pk}/units", {"unit_id": str(extra.pk)}, headers)
    assert added.status_code == 200 and [i["unit_name"] for i in added.json()["items"]] == ["城关镇新华书店"]
    submitted(cg1, extra, inspectors=[cg1, cg2])
    done = Client().get(f"/api/monthly-plans/{plan.pk}", **headers).json()
    assert done["items"][0]["done"] is True and done["done_count"] == 1

    theirs = plain_unit(demo.townships[1], name="河东饭庄")
    beside = send("POST", f"/api/monthly-plans/{plan.pk}/units", {"unit_id": str(theirs.pk)}, headers)
    assert beside.status_code == 422 and chinese_detail(beside) and "河东饭庄" not in beside.content.decode()
    removed = send("DELETE", f"/api/monthly-plans/{plan.pk}/units/{extra.pk}", {}, headers)
    assert removed.status_code == 200 and removed.json()["items"] == []
    actions = list(AuditEvent.objects.filter(object_id=str(plan.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["plan.add_unit", "plan.make", "plan.remove_unit"]


def test_plan_of_another_township_is_404_without_its_name(demo, api_token, township, due_unit):
    today = timezone.localdate()
    plan = plans.plan_prefill(
        actor=demo.users["cg1"], township=township, year=today.year, month=today.month, units=[due_unit]
    )
    headers = api_token(demo.users["dh1"])
    for response in (
        Client().get(f"/api/monthly-plans/{plan.pk}", **headers),
        send("POST", f"/api/monthly-plans/{plan.pk}/units", {"unit_id": str(due_unit.pk)}, headers),
        send("DELETE", f"/api/monthly-plans/{plan.pk}/units/{due_unit.pk}", {}, headers),
        send("POST", "/api/monthly-plans", {"township_id": str(township.pk), "year": today.year, "month": 1}, headers),
    ):
        assert response.status_code == 404
        assert due_unit.name not in response.content.decode() and township.name not in response.content.decode()
    assert plan.units.count() == 1 and MonthlyPlan.objects.count() == 1
    listed = Client().get("/api/monthly-plans", **headers).json()
    assert listed["items"] == []


def test_plan_bad_input_is_422_in_chinese(demo, api_token, township):
    headers = api_token(demo.users["cg1"])
    bad = send("POST", "/api/monthly-plans", {"township_id": str(township.pk), "year": 2026, "month": 13}, headers)
    assert bad.status_code == 422 and chinese_detail(bad)
    county = send(
        "POST",
        "/api/monthly-plans",
        {"township_id": str(demo.county.pk), "year": 2026, "month": 1},
        api_token(demo.users["bureau"]),
    )
    assert county.status_code in (403, 422) and chinese_detail(county)
    assert not MonthlyPlan.objects.exists()


def test_plan_list_costs_the_same_however_many(demo, api_token):
    headers = api_token(demo.users["inst"])
    years = iter(range(2020, 2030))

    def grow():
        year = next(years)
        for township in demo.townships:
            plans.plan_prefill(actor=demo.users["inst"], township=township, year=year, month=1, units=[])

    grow()
    assert_constant_queries(lambda: Client().get("/api/monthly-plans", **headers), grow, exactly=3)


# ---------------------------------------------------------------- the 巡查登记表


def test_register_downloads_match_the_page(demo, api_token, login, township):
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    unit = plain_unit(township, name="城关镇登记饭店")
    submitted(cg1, unit, inspectors=[cg1, cg2])
    station = cg1.institution
    year = timezone.localdate().year
    api = Client().get(f"/api/patrol-register/{station.pk}.xlsx?year={year}", **api_token(cg1))
    page = login(cg1).get(f"/inspections/register/?institution={station.pk}&year={year}&format=xlsx")
    assert api.status_code == 200 and api["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )

    def cells(response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = load_workbook(io.BytesIO(body)).active
        return [[c.value for c in row] for row in sheet.iter_rows()]

    from_api = cells(api)
    assert from_api == cells(page) and any(unit.name in str(v) for row in from_api for v in row)
    assert "filename*=" in api["Content-Disposition"]
    pdf = Client().get(f"/api/patrol-register/{station.pk}.pdf?year={year}", **api_token(cg1))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (b"".join(pdf.streaming_content) if pdf.streaming else pdf.content).startswith(b"%PDF")


def test_register_of_another_station_is_404_and_bad_month_422(demo, api_token):
    station = demo.users["cg1"].institution
    beside = Client().get(f"/api/patrol-register/{station.pk}.xlsx", **api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and station.name not in beside.content.decode()
    bad = Client().get(f"/api/patrol-register/{station.pk}.pdf?month=13", **api_token(demo.users["cg1"]))
    assert bad.status_code == 422 and chinese_detail(bad)


def test_openapi_declares_the_register_media_types():
    doc = Client().get("/api/openapi.json").json()
    xlsx = doc["paths"]["/api/patrol-register/{institution_id}.xlsx"]["get"]["responses"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in xlsx["200"]["content"]
    assert {"400", "403", "404", "422"} <= set(xlsx)
    pdf = doc["paths"]["/api/patrol-register/{institution_id}.pdf"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]


# ---------------------------------------------------------------- what is due


def test_patrol_due_gives_the_pages_figures_in_scope(demo, api_token, township):
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    done = plain_unit(township, name="城关镇已巡饭店")
    plain_unit(township, name="城关镇待巡饭店")
    submitted(cg1, done, inspectors=[cg1, cg2])
    body = Client().get("/api/patrol-due", **api_token(cg1)).json()
    states = {r["unit_name"]: r["state"] for r in body["rows"]}
    assert states["城关镇已巡饭店"] == "done" and states["城关镇待巡饭店"] in ("due", "overdue")
    mine = next(c for c in body["coverage"] if c["township_id"] == str(township.pk))
    assert mine["done"] >= 1 and mine["due"] >= 2 and 0 < mine["rate"] <= 1
    only_done = Client().get("/api/patrol-due?state=done", **api_token(cg1)).json()
    assert {r["state"] for r in only_done["rows"]} == {"done"}

    beside = Client().get("/api/patrol-due", **api_token(demo.users["dh1"]))
    assert beside.status_code == 200 and "城关镇已巡饭店" not in beside.content.decode()
    narrowed = Client().get(f"/api/patrol-due?township_id={township.pk}", **api_token(demo.users["dh1"]))
    assert narrowed.status_code == 404 and township.name not in narrowed.content.decode()
    bad = Client().get("/api/patrol-due?quarter=5", **api_token(cg1))
    assert bad.status_code == 422 and chinese_detail(bad)
