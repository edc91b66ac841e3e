import datetime
import io
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from xieguan.core.testing import assert_constant_queries
from xieguan.reports.models import Report, ReportStatus
from xieguan.reports.tests.factories import at, make_report
from xieguan.units.tests.factories import make_unit


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def payload(**extra):
    data = {
        "category": "foodborne",
        "found_at": (timezone.now() - datetime.timedelta(minutes=20)).isoformat(),
        "place": "李家村村民婚宴",
        "content": "婚宴后多人腹泻",
        "affected_count": 6,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(("who", "status", "made"), [("cun1", 201, 1), ("cg1", 201, 1), ("bureau", 403, 0)])
def test_create_by_role(demo, api_token, who, status, made):
    response = post_json(Client(), "/api/reports", payload(), **api_token(demo.users[who]))
    assert response.status_code == status
    assert Report.objects.count() == made
    if status == 201:
        body = response.json()
        assert body["is_emergency"] and 0 < body["seconds_left"] <= 100 * 60 and body["status"] == "filed"
    else:
        assert response.json()["detail"] == "您的角色无权进行此操作。"


def test_create_twice_with_one_id_makes_one(demo, api_token):
    headers = api_token(demo.users["cun1"])
    rid = str(uuid.uuid4())
    first = post_json(Client(), "/api/reports", payload(id=rid), **headers)
    again = post_json(Client(), "/api/reports", payload(id=rid), **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == rid and Report.objects.count() == 1


def test_bad_input_is_422_with_a_chinese_detail(demo, api_token):
    headers = api_token(demo.users["cg1"])
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    theirs = make_unit(demo.users["dh1"], demo.townships[1], name="河东饭店")
    cases = [
        (payload(found_at=future), "发现时间不能晚于现在。"),
        (payload(category="nothing"), "未知的信息类别"),
        (payload(unit_id=str(theirs.pk)), "这个单位不在您的辖区内。"),
        (payload(area_id=str(demo.townships[1].pk)), "这个地点不在您的辖区内。"),
        (payload(found_at="yesterday"), "found_at"),
    ]
    for body, words in cases:
        response = post_json(Client(), "/api/reports", body, **headers)
        assert response.status_code == 422, body
        assert words in response.json()["detail"]
    assert Report.objects.count() == 0


def test_flow_as_actions(demo, api_token):
    created = post_json(Client(), "/api/reports", payload(), **api_token(demo.users["cun1"])).json()
    url = f"/api/reports/{created['id']}"
    cg1, inst = api_token(demo.users["cg1"]), api_token(demo.users["inst"])
    assert post_json(Client(), f"{url}/handle", {"note": "x"}, **inst).status_code == 409
    assert post_json(Client(), f"{url}/verify", {}, **api_token(demo.users["dh1"])).status_code == 404
    assert post_json(Client(), f"{url}/verify", {"note": "已核实"}, **cg1).json()["status"] == "verified"
    forwarded = post_json(Client(), f"{url}/forward", {}, **cg1).json()
    assert forwarded["status"] == "forwarded" and forwarded["is_on_time"] is True and forwarded["seconds_left"] is None
    again = post_json(Client(), f"{url}/forward", {}, **cg1)
    assert again.status_code == 200 and again.json()["reported_at"] == forwarded["reported_at"]
    post_json(Client(), f"{url}/handle", {"note": "已流调"}, **inst)
    fed = post_json(Client(), f"{url}/feedback", {"note": "细菌性食物中毒"}, **inst).json()
    closed = post_json(Client(), f"{url}/close", {}, **cg1).json()
    assert fed["result"] == "细菌性食物中毒" and closed["status"] == "closed"
    assert [s["kind"] for s in closed["steps"]] == [
        "found",
        "filed",
        "verified",
        "forwarded",
        "handled",
        "fed_back",
        "closed",
    ]


def test_categories_of_the_county(demo, api_token):
    body = Client().get("/api/report-categories", **api_token(demo.users["cun1"])).json()
    by_code = {c["code"]: c for c in body}
    assert by_code["foodborne"]["limit_minutes"] == 120 and by_code["foodborne"]["is_emergency"]
    assert by_code["occupational"]["name"] == "职业卫生" and len(body) == 9


def test_photo_upload_is_idempotent_by_content(demo, api_token, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    report = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 5, 1))
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "blue").save(buffer, format="JPEG")
    headers = api_token(demo.users["cun1"])

    def send():
        upload = io.BytesIO(buffer.getvalue())
        upload.name = "x.jpg"
        return Client().post(f"/api/reports/{report.pk}/photos", {"image": upload}, **headers)

    assert (send().status_code, send().status_code) == (201, 200)
    bad = io.BytesIO(b"not an image")
    bad.name = "x.jpg"
    refused = Client().post(f"/api/reports/{report.pk}/photos", {"image": bad}, **headers)
    assert refused.status_code == 422 and "照片" in refused.json()["detail"]
    assert report.photos.count() == 1


def test_list_is_scoped_nearest_limit_first_with_constant_queries(demo, api_token):
    now = timezone.now()
    first = make_report(
        area=demo.villages[1], by=demo.users["cun1"], found_at=now - datetime.timedelta(minutes=90), code="foodborne"
    )
    second = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=now - datetime.timedelta(hours=2))
    make_report(area=demo.townships[1], by=demo.users["dh1"], found_at=now - datetime.timedelta(hours=1))
    items = Client().get("/api/reports", **api_token(demo.users["cg1"])).json()["items"]
    assert [i["id"] for i in items] == [str(first.pk), str(second.pk)]
    dh1_items = Client().get("/api/reports?state=all", **api_token(demo.users["dh1"])).json()["items"]
    assert len(dh1_items) == 1 and dh1_items[0]["area_name"] == "河东镇"
    headers = api_token(demo.users["inst"])

    def grow():
        for day in range(1, 6):
            make_report(area=demo.villages[2], by=demo.users["cg1"], found_at=at(2026, 4, day), reached_after=10)

    assert_constant_queries(lambda: Client().get("/api/reports?state=all", **headers), grow, exactly=3)


def test_report_status_never_changes_on_a_refused_close(demo, api_token):
    report = make_report(area=demo.villages[1], by=demo.users["cun1"], found_at=at(2026, 5, 1))
    response = post_json(Client(), f"/api/reports/{report.pk}/close", {}, **api_token(demo.users["cg1"]))
    assert response.status_code == 409 and "现在不能办理" in response.json()["detail"]
    report.refresh_from_db()
    assert report.status == ReportStatus.FILED
