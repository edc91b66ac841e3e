"""GET /api/audit-log: the audit log for those allowed to read the page,
scoped, filtered and paged by keyset (issue 19 item 2)."""

import datetime
import re

from django.test import Client
from django.utils import timezone

from xieguan.core.audit import audit_record
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries


def test_the_county_reads_its_audit_log_filtered_and_paged(demo, api_token):
    bureau = demo.users["bureau"]
    headers = api_token(bureau)
    for n in range(3):
        audit_record(actor=demo.users["cg1"], action="unit.update", obj=demo.townships[0], note=f"第{n}次")
    page = Client().get("/api/audit-log?action=unit.update&limit=2", **headers).json()
    assert [e["action"] for e in page["items"]] == ["unit.update", "unit.update"] and page["next"]
    assert page["items"][0]["action_label"] and page["items"][0]["action_label"] != "unit.update"
    rest = Client().get(f"/api/audit-log?action=unit.update&limit=2&after={page['next']}", **headers).json()
    ids = [e["id"] for e in page["items"] + rest["items"]]
    assert len(ids) == 3 == len(set(ids)) and ids == sorted(ids, reverse=True)
    found = Client().get("/api/audit-log?q=cg1&action=unit.update", **headers).json()["items"]
    assert len(found) == 3 and all(e["actor_username"] == "cg1" for e in found)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert Client().get(f"/api/audit-log?since={tomorrow}", **headers).json()["items"] == []


def test_the_audit_log_is_scoped_to_the_readers_area(demo, api_token, django_user_model):
    audit_record(actor=demo.users["dh1"], action="unit.update", obj=demo.townships[1], note="河东镇的事")
    audit_record(actor=demo.users["cg1"], action="unit.update", obj=demo.townships[0], note="城关镇的事")
    notes = {
        e["note"] for e in Client().get("/api/audit-log?limit=200", **api_token(demo.users["bureau"])).json()["items"]
    }
    assert {"河东镇的事", "城关镇的事"} <= notes


def test_the_audit_log_is_refused_to_those_the_page_refuses(demo, api_token):
    for who in ("cg1", "dh1", "inst"):
        response = Client().get("/api/audit-log", **api_token(demo.users[who]))
        assert response.status_code == 403 and re.search(r"[\u4e00-\u9fff]", response.json()["detail"]), who


def test_bad_filters_are_refused_in_chinese(demo, api_token):
    response = Client().get("/api/audit-log?since=yesterday", **api_token(demo.users["bureau"]))
    assert response.status_code == 422 and "日期" in response.json()["detail"]
    response = Client().get("/api/audit-log?after=zzz", **api_token(demo.users["bureau"]))
    assert response.status_code == 422 and "after" in response.json()["detail"]


def test_the_audit_log_costs_constant_queries(demo, api_token):
    headers = api_token(demo.users["bureau"])

    def grow():
        for n in range(5):
            audit_record(actor=demo.users["cg1"], action="unit.update", obj=demo.townships[0], note=str(n))

    assert AuditEvent.objects.exists()
    assert_constant_queries(lambda: Client().get("/api/audit-log", **headers), grow, exactly=4)
