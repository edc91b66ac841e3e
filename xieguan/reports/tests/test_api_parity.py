"""Zero reports, exposed people, categories, indicators and the 信息报告登记表
through the API (issue 19 item 2): the same services and selectors as the
pages, so the same scope, audit and Chinese refusals."""

import datetime
import io
import json
import re
import uuid

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.reports.models import ExposedPerson, ReportCategory, ZeroReport
from xieguan.reports.services import exposed_person_register
from xieguan.reports.tests.factories import make_report

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def send(method, url, data, headers):
    return Client().generic(method, url, json.dumps(data), content_type="application/json", **headers)


def chinese_detail(response):
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return detail


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def last_month():
    return timezone.localdate().replace(day=1) - datetime.timedelta(days=1)


# ---------------------------------------------------------------- zero reports


def test_station_makes_its_zero_report_once(demo, api_token):
    headers = api_token(demo.users["cg1"])
    month = last_month()
    zid = str(uuid.uuid4())
    made = send("POST", "/api/zero-reports", {"id": zid, "month": f"{month:%Y-%m}"}, headers)
    assert made.status_code == 201, made.content
    assert made.json()["id"] == zid and made.json()["institution_id"] == str(demo.users["cg1"].institution_id)
    again = send("POST", "/api/zero-reports", {"id": zid, "month": f"{month:%Y-%m}"}, headers)
    other = send("POST", "/api/zero-reports", {"month": f"{month:%Y-%m}"}, headers)
    assert (again.status_code, other.status_code) == (200, 200) and other.json()["id"] == zid
    assert ZeroReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="zero_report.make").count() == 1

    grid = Client().get(f"/api/zero-reports?year={month.year}", **headers).json()
    mine = next(r for r in grid if r["institution_id"] == str(demo.users["cg1"].institution_id))
    assert mine["months"][month.month - 1]["state"] == "zero"


def test_zero_report_refused_in_chinese_and_nothing_made(demo, api_token, township):
    headers = api_token(demo.users["cg1"])
    month = last_month()
    make_report(
        area=township,
        by=demo.users["cg1"],
        found_at=timezone.make_aware(datetime.datetime(month.year, month.month, 10, 9)),
    )
    found = send("POST", "/api/zero-reports", {"month": f"{month:%Y-%m}"}, headers)
    assert found.status_code == 422 and chinese_detail(found)
    future = timezone.localdate().replace(day=28) + datetime.timedelta(days=10)
    ahead = send("POST", "/api/zero-reports", {"month": f"{future:%Y-%m}"}, headers)
    assert ahead.status_code == 422 and chinese_detail(ahead)
    malformed = send("POST", "/api/zero-reports", {"month": "2026-13"}, headers)
    assert malformed.status_code == 422 and chinese_detail(malformed)
    county = send("POST", "/api/zero-reports", {"month": f"{month:%Y-%m}"}, api_token(demo.users["bureau"]))
    assert county.status_code == 403 and chinese_detail(county)
    assert not ZeroReport.objects.exists()


def test_zero_report_grid_shows_only_the_callers_stations(demo, api_token):
    grid = Client().get("/api/zero-reports", **api_token(demo.users["dh1"])).json()
    assert [r["institution_id"] for r in grid] == [str(demo.users["dh1"].institution_id)]


# ---------------------------------------------------------------- exposed people


def person(**extra):
    return {"name": "王石匠", "employer": "城关采石场", "hazard_factors": "矽尘", "exposure_years": 12, **extra}


def test_exposed_person_registered_once_and_read(demo, api_token, township):
    headers = api_token(demo.users["cg1"])
    pid = str(uuid.uuid4())
    made = send("POST", "/api/exposed-people", person(id=pid, area_id=str(township.pk)), headers)
    assert made.status_code == 201, made.content
    again = send("POST", "/api/exposed-people", person(id=pid, area_id=str(township.pk)), headers)
    assert again.status_code == 200 and again.json()["id"] == pid
    assert ExposedPerson.objects.count() == 1
    assert AuditEvent.objects.filter(action="exposed_person.register", object_id=pid).count() == 1
    read = Client().get(f"/api/exposed-people/{pid}", **headers).json()
    assert read["name"] == "王石匠" and read["report_ids"] == []


def test_exposed_person_beside_is_404_without_the_name(demo, api_token, township):
    theirs, _ = exposed_person_register(
        actor=demo.users["cg1"], area=township, name="李粉尘", employer="城关采石场", hazard_factors="矽尘"
    )
    headers = api_token(demo.users["dh1"])
    beside = Client().get(f"/api/exposed-people/{theirs.pk}", **headers)
    assert beside.status_code == 404 and "李粉尘" not in beside.content.decode()
    assert "李粉尘" not in Client().get("/api/exposed-people", **headers).content.decode()
    into = send("POST", "/api/exposed-people", person(area_id=str(township.pk)), headers)
    assert into.status_code == 422 and chinese_detail(into) and township.name not in into.content.decode()
    assert ExposedPerson.objects.count() == 1


def test_exposed_person_bad_input_is_422_in_chinese(demo, api_token):
    headers = api_token(demo.users["cg1"])
    for bad in (person(id_number="12345"), person(exposure_years=99), person(name="")):
        response = send("POST", "/api/exposed-people", bad, headers)
        assert response.status_code == 422 and chinese_detail(response)
    assert not ExposedPerson.objects.exists()


def test_exposed_list_costs_the_same_however_many(demo, api_token, township):
    headers = api_token(demo.users["cg1"])
    names = iter(f"接触者{n}" for n in range(100))

    def grow():
        for _ in range(3):
            exposed_person_register(
                actor=demo.users["cg1"], area=township, name=next(names), employer="厂", hazard_factors="噪声"
            )

    grow()
    assert_constant_queries(lambda: Client().get("/api/exposed-people", **headers), grow, exactly=3)


# ---------------------------------------------------------------- categories


def test_county_adds_and_edits_categories(demo, api_token):
    headers = api_token(demo.users["bureau"])
    cid = str(uuid.uuid4())
    made = send("POST", "/api/report-categories", {"id": cid, "name": "放射事件", "limit_minutes": 60}, headers)
    assert made.status_code == 201, made.content
    again = send("POST", "/api/report-categories", {"id": cid, "name": "放射事件", "limit_minutes": 60}, headers)
    assert again.status_code == 200 and again.json()["id"] == cid
    assert ReportCategory.objects.filter(county=demo.county).count() == 1
    code = made.json()["code"]
    edited = send("PUT", f"/api/report-categories/{code}", {"name": "放射事故", "limit_minutes": 90}, headers)
    assert edited.status_code == 200 and edited.json()["name"] == "放射事故"
    default = ReportCategory.objects.filter(county__isnull=True, is_emergency=False).first()
    own = send("PUT", f"/api/report-categories/{default.code}", {"name": "本县名称", "limit_minutes": 600}, headers)
    assert own.status_code == 200 and own.json()["county_id"] == str(demo.county.pk)
    assert ReportCategory.objects.get(pk=default.pk).name == default.name  # the default stays for others
    actions = sorted(AuditEvent.objects.filter(action__startswith="report_category.").values_list("action", flat=True))
    assert actions == ["report_category.create", "report_category.create", "report_category.update"]


def test_category_refusals_in_chinese(demo, api_token):
    bureau = api_token(demo.users["bureau"])
    emergency = send(
        "POST", "/api/report-categories", {"name": "急", "is_emergency": True, "limit_minutes": 600}, bureau
    )
    assert emergency.status_code == 422 and "2" in chinese_detail(emergency)
    short = send("POST", "/api/report-categories", {"name": "短", "limit_minutes": 5}, bureau)
    assert short.status_code == 422 and chinese_detail(short)
    missing = send("PUT", "/api/report-categories/nothing-here", {"name": "无"}, bureau)
    assert missing.status_code == 404 and chinese_detail(missing)
    comanager = send("POST", "/api/report-categories", {"name": "越界"}, api_token(demo.users["cg1"]))
    assert comanager.status_code == 403 and chinese_detail(comanager)
    assert not ReportCategory.objects.filter(county__isnull=False).exists()


# ---------------------------------------------------------------- indicators, register


def test_indicators_of_the_callers_area(demo, api_token, township):
    month = last_month()
    found = timezone.make_aware(datetime.datetime(month.year, month.month, 10, 9))
    make_report(area=township, by=demo.users["cg1"], found_at=found, reached_after=30)
    make_report(area=township, by=demo.users["cg1"], found_at=found)
    body = (
        Client()
        .get(f"/api/report-indicators?year={month.year}&month={month.month}", **api_token(demo.users["bureau"]))
        .json()
    )
    assert body["area_id"] == str(demo.county.pk)
    row = next(r for r in body["rows"] if r["area_id"] == str(township.pk))
    assert (row["found"], row["reported"]) == (2, 1) and row["report_rate"]["percent"] == "50.0"
    assert CHINESE.search(body["report_rate_formula"])
    beside = Client().get(
        f"/api/report-indicators?year={month.year}&area_id={township.pk}", **api_token(demo.users["dh1"])
    )
    assert beside.status_code == 404 and township.name not in beside.content.decode()
    bad = Client().get("/api/report-indicators?month=0", **api_token(demo.users["bureau"]))
    assert bad.status_code == 422 and chinese_detail(bad)


def test_report_register_downloads_match_the_page(demo, api_token, login, township):
    month = last_month()
    make_report(
        area=township,
        by=demo.users["cg1"],
        found_at=timezone.make_aware(datetime.datetime(month.year, month.month, 10, 9)),
        content="登记表上的事件",
    )
    station = demo.users["cg1"].institution
    query = f"year={month.year}&month={month.month}"
    api = Client().get(f"/api/report-register/{station.pk}.xlsx?{query}", **api_token(demo.users["cg1"]))
    page = login(demo.users["cg1"]).get(f"/reports/register/?institution={station.pk}&{query}&format=xlsx")
    assert api.status_code == 200

    def cells(response):
        sheet = load_workbook(io.BytesIO(body_of(response))).active
        return [[c.value for c in row] for row in sheet.iter_rows()]

    from_api = cells(api)
    assert from_api == cells(page) and any("登记表上的事件" in str(v) for row in from_api for v in row)
    pdf = Client().get(f"/api/report-register/{station.pk}.pdf?{query}", **api_token(demo.users["cg1"]))
    assert pdf.status_code == 200 and body_of(pdf).startswith(b"%PDF")
    beside = Client().get(f"/api/report-register/{station.pk}.xlsx", **api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and station.name not in beside.content.decode()
    doc = Client().get("/api/openapi.json").json()
    assert (
        "application/pdf"
        in doc["paths"]["/api/report-register/{institution_id}.pdf"]["get"]["responses"]["200"]["content"]
    )
