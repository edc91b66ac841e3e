"""Reporting rates, the month overview and its drill-down, a figure's
records and the quarterly and annual summaries through the API (issue 19
item 2): the same selectors as the pages."""

import datetime
import json
import re

from django.test import Client
from django.utils import timezone

from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.outreach.services import outreach_create

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese_detail(response):
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return detail


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_rates_of_the_callers_counties(demo, api_token):
    today = timezone.localdate()
    body = Client().get(f"/api/monthly-rates?year={today.year}", **api_token(demo.users["bureau"])).json()
    assert [m["month"] for m in body["months"]] == list(range(1, today.month + 1))
    county = body["months"][0]["counties"][0]
    assert county["area_id"] == str(demo.county.pk) and county["expected"] == len(demo.townships)
    township = Client().get("/api/monthly-rates", **api_token(demo.users["dh1"])).json()
    names = {c["area_name"] for m in township["months"] for c in m["counties"]}
    assert demo.townships[0].name not in json.dumps(township, ensure_ascii=False) or names == {demo.townships[1].name}
    bad = Client().get("/api/monthly-rates?year=1999", **api_token(demo.users["bureau"]))
    assert bad.status_code == 422 and chinese_detail(bad)


def test_overview_lists_the_townships_with_their_figures(demo, api_token):
    today = timezone.localdate()
    query = f"year={today.year}&month={today.month}"
    body = Client().get(f"/api/monthly-overview?{query}", **api_token(demo.users["bureau"])).json()
    assert body["area_id"] == str(demo.county.pk)
    assert sorted(r["area_name"] for r in body["rows"]) == sorted(t.name for t in demo.townships)
    codes = {f["code"] for f in body["total"]["figures"]}
    assert "coverage" in codes and all(CHINESE.search(f["name"]) for f in body["total"]["figures"])
    township = Client().get(f"/api/monthly-overview?{query}", **api_token(demo.users["dh1"]))
    assert township.status_code == 403 and chinese_detail(township)
    # The role decides, whatever area is asked for: the county's id says nothing more.
    named = Client().get(f"/api/monthly-overview?area_id={demo.county.pk}", **api_token(demo.users["dh1"]))
    assert named.status_code == 403 and named.json() == township.json()
    bad = Client().get("/api/monthly-overview?month=13", **api_token(demo.users["bureau"]))
    assert bad.status_code == 422 and chinese_detail(bad)


def test_overview_drill_and_cell_records(demo, api_token, township):
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    unit = plain_unit(township, name="城关镇钻取饭店")
    inspection = submitted(cg1, unit, inspectors=[cg1, cg2], fails=1)
    opinion_issue(
        actor=cg1, inspection=inspection, text="请整改", deadline=timezone.localdate() + datetime.timedelta(days=7)
    )
    outreach_create(
        actor=cg1, area=township, date=timezone.localdate(), place="广场", form="consultation", theme="钻取宣传"
    )
    today = timezone.localdate()
    from xieguan.inspections.selectors import current_month

    year, month = current_month(cg1, today)
    headers = api_token(cg1)
    drill = Client().get(f"/api/monthly-overview/{township.pk}/{year}/{month}/opinions", **headers).json()
    assert [o["unit_name"] for o in drill["items"]] == ["城关镇钻取饭店"] and drill["items"][0]["rectified"] is False
    cells = Client().get(f"/api/monthly-cells/{township.pk}/{year}/{month}/total/publicity/month", **headers).json()
    assert [c["title"] for c in cells["items"]] == ["钻取宣传"] and cells["items"][0]["kind"] == "outreach"
    patrols = Client().get(f"/api/monthly-cells/{township.pk}/{year}/{month}/total/patrols/month", **headers).json()
    assert [c["title"] for c in patrols["items"]] == ["城关镇钻取饭店"]

    beside = api_token(demo.users["dh1"])
    for url in (
        f"/api/monthly-overview/{township.pk}/{year}/{month}/opinions",
        f"/api/monthly-cells/{township.pk}/{year}/{month}/total/publicity/month",
    ):
        response = Client().get(url, **beside)
        assert response.status_code == 404 and "钻取" not in response.content.decode()
    unknown = Client().get(f"/api/monthly-cells/{township.pk}/{year}/{month}/nothing/publicity/month", **headers)
    assert unknown.status_code == 404 and chinese_detail(unknown)
    column = Client().get(f"/api/monthly-cells/{township.pk}/{year}/{month}/total/money/month", **headers)
    assert column.status_code == 422 and chinese_detail(column)


def test_cell_records_cost_the_same_however_many(demo, api_token, township):
    cg1 = demo.users["cg1"]
    today = timezone.localdate()
    from xieguan.inspections.selectors import current_month

    year, month = current_month(cg1, today)
    themes = iter(f"宣传{n}" for n in range(100))

    def grow():
        for _ in range(3):
            outreach_create(actor=cg1, area=township, date=today, place="广场", form="consultation", theme=next(themes))

    grow()
    url = f"/api/monthly-cells/{township.pk}/{year}/{month}/total/publicity/month"
    headers = api_token(cg1)
    assert_constant_queries(lambda: Client().get(url, **headers), grow, exactly=5)


def test_summary_figures_and_documents(demo, api_token, township):
    headers = api_token(demo.users["cg1"])
    year = timezone.localdate().year
    body = Client().get(f"/api/monthly-summaries/{township.pk}/{year}?quarter=1", **headers).json()
    assert body["quarter"] == 1 and township.name in body["title"] and CHINESE.search(body["draft"])
    assert {r["key"] for r in body["rows"]} >= {"other"} and body["total"]["key"] == "total"
    url = f"/api/monthly-summaries/{township.pk}/{year}/document"
    text = {"quarter": 1, "text": "第一段。\n第二段。", "format": "docx"}
    docx = Client().post(url, json.dumps(text), content_type="application/json", **headers)
    assert docx.status_code == 200 and body_of(docx).startswith(b"PK") and "filename*=" in docx["Content-Disposition"]
    pdf = Client().post(url, json.dumps({**text, "format": "pdf"}), content_type="application/json", **headers)
    assert pdf.status_code == 200 and body_of(pdf).startswith(b"%PDF")
    empty = Client().post(url, json.dumps({**text, "text": ""}), content_type="application/json", **headers)
    assert empty.status_code == 422 and chinese_detail(empty)
    beside = Client().get(f"/api/monthly-summaries/{township.pk}/{year}", **api_token(demo.users["dh1"]))
    assert beside.status_code == 404 and township.name not in beside.content.decode()
