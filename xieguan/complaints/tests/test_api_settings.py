"""The complaint settings page's actions and the list's Excel download
through the API (issue 19 item 2): time limits and the county's calendar
overrides (调休日历), through the same services."""

import datetime
import io
import json
import re

from django.test import Client
from openpyxl import load_workbook

from xieguan.complaints.models import CalendarOverride, ComplaintSettings
from xieguan.complaints.services import complaint_register
from xieguan.core.models import AuditEvent

CHINESE = re.compile(r"[\u4e00-\u9fff]")
LIMITS = {"accept_days": 3, "handle_days": 20, "reply_days": 5, "reopen_days": 15, "near_days": 2}


def send(method, url, data, headers):
    return Client().generic(method, url, json.dumps(data), content_type="application/json", **headers)


def chinese_detail(response):
    detail = response.json()["detail"]
    assert CHINESE.search(detail), detail
    return detail


def test_county_reads_and_changes_its_time_limits(demo, api_token):
    headers = api_token(demo.users["bureau"])
    defaults = Client().get("/api/complaint-settings", **headers).json()
    assert defaults["county_id"] == str(demo.county.pk) and defaults["accept_days"] >= 1
    changed = send("PUT", "/api/complaint-settings", LIMITS, headers)
    assert changed.status_code == 200 and changed.json()["handle_days"] == 20
    assert ComplaintSettings.objects.get(county=demo.county).handle_days == 20
    assert AuditEvent.objects.filter(action="complaint_settings.update").count() == 1
    bad = send("PUT", "/api/complaint-settings", {**LIMITS, "near_days": 30}, headers)
    assert bad.status_code == 422 and chinese_detail(bad)
    for who in ("cg1", "dh1"):
        refused = send("PUT", "/api/complaint-settings", {**LIMITS, "handle_days": 1}, api_token(demo.users[who]))
        assert refused.status_code == 403 and chinese_detail(refused)
    assert ComplaintSettings.objects.get(county=demo.county).handle_days == 20


def test_county_sets_and_clears_a_calendar_day(demo, api_token):
    headers = api_token(demo.users["bureau"])
    day = datetime.date(2026, 10, 10)
    made = send("PUT", f"/api/calendar-overrides/{day}", {"is_workday": True, "note": "调休上班"}, headers)
    assert made.status_code == 200 and made.json()["is_workday"] is True
    again = send("PUT", f"/api/calendar-overrides/{day}", {"is_workday": False}, headers)
    assert again.json()["id"] == made.json()["id"] and CalendarOverride.objects.get().is_workday is False
    listed = Client().get("/api/calendar-overrides?year=2026", **headers).json()
    assert [o["date"] for o in listed] == ["2026-10-10"]
    refused = send("DELETE", f"/api/calendar-overrides/{day}", {}, api_token(demo.users["dh1"]))
    assert refused.status_code == 403 and CalendarOverride.objects.exists()
    assert send("DELETE", f"/api/calendar-overrides/{day}", {}, headers).status_code == 204
    assert not CalendarOverride.objects.exists()
    actions = sorted(
        AuditEvent.objects.filter(action__startswith="calendar_override.").values_list("action", flat=True)
    )
    assert actions == ["calendar_override.delete", "calendar_override.set", "calendar_override.set"]
    bad = send("PUT", "/api/calendar-overrides/2026-02-30", {"is_workday": True}, headers)
    assert bad.status_code == 422 and chinese_detail(bad)
    long_note = send("PUT", f"/api/calendar-overrides/{day}", {"is_workday": True, "note": "长" * 101}, headers)
    assert long_note.status_code == 422 and chinese_detail(long_note)
    assert not CalendarOverride.objects.exists()


def test_export_is_the_list_pages_workbook_in_scope(demo, api_token, login, township):
    complaint_register(
        actor=demo.users["cg1"], township=township, category="food", content="导出的投诉：后厨脏乱", channel="phone"
    )
    api = Client().get("/api/complaints/export.xlsx", **api_token(demo.users["cg1"]))
    page = login(demo.users["cg1"]).get("/complaints/export.xlsx")

    def cells(response):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]

    from_api = cells(api)
    assert from_api == cells(page) and any("导出的投诉" in str(v) for row in from_api for v in row)
    beside = cells(Client().get("/api/complaints/export.xlsx", **api_token(demo.users["dh1"])))
    assert not any("导出的投诉" in str(v) for row in beside for v in row)
