"""The risk API: scores with reasons (scoped, paged), weights, backtest;
errors as JSON with a Chinese detail, nothing changed on bad input."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xieguan.risk.models import Backtest, RiskSettings
from xieguan.risk.services import recompute
from xieguan.risk.tests.factories import bulk_units
from xieguan.risk.tests.test_pages import scored  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_scores_with_reasons_riskiest_first_and_scoped(demo, scored, api_token):  # noqa: F811
    body = Client().get("/api/risk/scores", **api_token(demo.users["cg1"])).json()
    ids = [item["unit_id"] for item in body["items"]]
    assert ids[0] == str(scored["bad"].pk)
    first = body["items"][0]
    assert first["grade"] in ("high", "medium", "low")
    assert any(
        r["text"] == "2 次违法记录（近12个月）" and r["links"][0]["url"].startswith("/inspections/")
        for r in first["reasons"]
    )
    beside = Client().get("/api/risk/scores", **api_token(demo.users["dh1"])).json()
    assert str(scored["bad"].pk) not in [i["unit_id"] for i in beside["items"]]
    one = Client().get(f"/api/risk/units/{scored['bad'].pk}", **api_token(demo.users["dh1"]))
    assert one.status_code == 404 and "detail" in one.json()
    assert Client().get(f"/api/risk/units/{scored['bad'].pk}", **api_token(demo.users["bureau"])).status_code == 200
    bad = Client().get("/api/risk/scores?grade=red", **api_token(demo.users["cg1"]))
    assert bad.status_code in (400, 422) and "风险等级" in bad.json()["detail"] + str(bad.json().get("fields"))


def test_the_score_list_pages_in_constant_queries(demo, scored, api_token):  # noqa: F811
    headers = api_token(demo.users["bureau"])
    Client().get("/api/risk/scores?limit=2", **headers)
    with CaptureQueriesContext(connection) as few:
        first = Client().get("/api/risk/scores?limit=2", **headers).json()
    recompute(bulk_units(demo, 20, opened_on=datetime.date(2025, 1, 1)))
    with CaptureQueriesContext(connection) as many:
        Client().get("/api/risk/scores?limit=50", **headers)
    assert len(many) == len(few)
    assert first["next"]
    second = Client().get(f"/api/risk/scores?limit=2&after={first['next']}", **headers).json()
    assert {i["unit_id"] for i in second["items"]}.isdisjoint({i["unit_id"] for i in first["items"]})


def test_weights_through_the_api(demo, scored, api_token, django_capture_on_commit_callbacks):  # noqa: F811
    bureau = api_token(demo.users["bureau"])
    got = Client().get("/api/risk/settings", **bureau).json()
    assert got["violation"] == 10 and got["county_id"] == str(demo.county.pk)
    with django_capture_on_commit_callbacks(execute=True):
        put = Client().put(
            "/api/risk/settings", {"key_unit": 80, "violation": 0}, content_type="application/json", **bureau
        )
    assert put.status_code == 200 and put.json()["key_unit"] == 80
    top = Client().get("/api/risk/scores", **bureau).json()["items"][0]
    assert top["unit_id"] == str(scored["key"].pk)
    refused = Client().put(
        "/api/risk/settings", {"medium_from": 50, "high_from": 10}, content_type="application/json", **bureau
    )
    assert refused.status_code == 422 and "中风险" in str(refused.json())
    unknown = Client().put(
        "/api/risk/settings", {"category_points": {"nope": 3}}, content_type="application/json", **bureau
    )
    assert unknown.status_code == 422 and "没有这些类别" in str(unknown.json())
    assert RiskSettings.objects.get(county=demo.county).key_unit == 80
    inst = Client().put(
        "/api/risk/settings", {"violation": 1}, content_type="application/json", **api_token(demo.users["inst"])
    )
    assert inst.status_code == 403
    cg1 = Client().put(
        "/api/risk/settings", {"violation": 1}, content_type="application/json", **api_token(demo.users["cg1"])
    )
    # A township's caller has none of the county's operations, whatever county_id: 403 in Chinese.
    assert cg1.status_code == 403 and any("\u4e00" <= ch <= "\u9fff" for ch in cg1.json()["detail"])
    named = Client().get(f"/api/risk/settings?county_id={demo.county.pk}", **api_token(demo.users["cg1"]))
    assert named.status_code == 403 and named.json() == cg1.json()


def test_backtest_through_the_api(demo, scored, api_token):  # noqa: F811
    bureau = api_token(demo.users["bureau"])
    assert Client().get("/api/risk/backtest", **bureau).status_code == 404
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = Client().post("/api/risk/backtest", {"cut_off": future}, content_type="application/json", **bureau)
    assert refused.status_code == 422 and not Backtest.objects.exists()
    past = (timezone.localdate() - datetime.timedelta(days=200)).isoformat()
    ran = Client().post("/api/risk/backtest", {"cut_off": past, "months": 3}, content_type="application/json", **bureau)
    assert ran.status_code == 200
    body = ran.json()
    assert body["too_small"] is True and body["precision_risk"] is None and body["verdict"] == "too_small"
    assert Client().get("/api/risk/backtest", **bureau).json()["cut_off"] == past
