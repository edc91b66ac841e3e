import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from xieguan.complaints import services
from xieguan.complaints.guard import captcha_new
from xieguan.complaints.models import Complaint, Status
from xieguan.complaints.tests.conftest import ANSWER, file_public
from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries

pytestmark = pytest.mark.django_db


def _public(demo, **extra):
    data = {
        "captcha_token": captcha_new().token,
        "captcha_answer": ANSWER,
        "township_id": str(demo.townships[0].pk),
        "category": "public_place",
        "content": "宾馆床单有污渍",
    }
    data.update(extra)
    return Client().post("/api/public/complaints", data)


def test_public_create_gives_receipt_and_pin(demo, fixed_captcha):
    r = _public(demo)
    assert r.status_code == 201, r.content
    body = r.json()
    complaint = Complaint.objects.get()
    assert body["receipt"] == complaint.receipt_display and len(body["pin"]) == 6
    assert complaint.channel == "web" and complaint.is_anonymous


def test_public_create_no_content_is_a_chinese_422(demo, fixed_captcha):
    r = _public(demo, content="")
    assert r.status_code == 422 and "此项必填" in r.json()["detail"]
    assert Complaint.objects.count() == 0


def test_public_create_huge_photo_is_a_chinese_422(demo, fixed_captcha, monkeypatch):
    monkeypatch.setattr("xieguan.core.photos.MAX_PHOTO_BYTES", 1000)
    buf = io.BytesIO()
    Image.new("RGB", (600, 600), "red").save(buf, format="JPEG")
    r = _public(demo, photos=SimpleUploadedFile("big.jpg", buf.getvalue(), content_type="image/jpeg"))
    assert r.status_code == 422 and "20 MB" in r.json()["detail"]
    assert Complaint.objects.count() == 0


def test_public_create_wrong_captcha_and_rate_limit(demo, fixed_captcha, settings):
    r = _public(demo, captcha_answer="NOPE1")
    assert r.status_code == 422 and "图中的字符不对" in r.json()["detail"]
    settings.COMPLAINTS_SUBMIT_LIMIT = 1
    r = _public(demo)
    assert r.status_code == 429 and "太多" in r.json()["detail"]
    assert Complaint.objects.count() == 0


def test_public_captcha_endpoint(settings):
    r = Client().get("/api/public/captcha")
    assert r.status_code == 200 and r.json()["image"].startswith("data:image/png;base64,")


def test_public_get_with_pin_and_wrong_pin_limited(demo, settings):
    settings.COMPLAINTS_PIN_FAILURE_LIMIT = 2
    filed = file_public(demo.townships[0])
    url = f"/api/public/complaints/{filed.complaint.receipt_display}"
    r = Client().get(url, HTTP_X_PIN=filed.pin)
    assert r.status_code == 200 and r.json()["status"] == "registered"
    assert r.json()["steps"][-1]["pending"] is True
    assert r.json()["steps"][-1]["deadline"] == filed.complaint.due_on.isoformat()
    for _i in range(2):
        r = Client().get(url, {"pin": "000000"})
        assert r.status_code == 422 and r.json()["detail"].endswith("回执码或查询密码不正确。")
    r = Client().get(url, HTTP_X_PIN=filed.pin)
    assert r.status_code == 429 and "15 分钟" in r.json()["detail"]


def test_staff_create_idempotent_pin_once(demo, api_token):
    headers = api_token(demo.users["cg1"])
    payload = {
        "id": str(uuid.uuid4()),
        "township_id": str(demo.townships[0].pk),
        "category": "medical",
        "channel": "visit",
        "content": "诊所无证行医",
        "name": "钱七",
        "phone": "13511112222",
    }
    c = Client()
    r1 = c.post("/api/complaints", json.dumps(payload), content_type="application/json", **headers)
    r2 = c.post("/api/complaints", json.dumps(payload), content_type="application/json", **headers)
    assert r1.status_code == 201 and r1.json()["pin"] and r2.status_code == 200 and r2.json()["pin"] is None
    assert Complaint.objects.count() == 1
    assert r1.json()["complainant"]["phone"] == "13511112222"  # the registrar handles it


def test_staff_create_bad_input_chinese(demo, api_token):
    headers = api_token(demo.users["cg1"])
    payload = {"township_id": str(demo.townships[0].pk), "category": "medical", "channel": "visit", "content": ""}
    r = Client().post("/api/complaints", json.dumps(payload), content_type="application/json", **headers)
    assert r.status_code == 422 and "此项必填" in r.json()["detail"]
    assert Complaint.objects.count() == 0


def test_api_complainant_only_for_the_handler(demo, api_token, named_complaint):
    c = named_complaint.complaint
    services.complaint_accept(actor=demo.users["cg1"], complaint=c)
    client = Client()
    r = client.get(f"/api/complaints/{c.pk}", **api_token(demo.users["cg1"]))
    assert r.json()["complainant"]["phone"] == "13912345678"
    for username in ("cg2", "inst", "bureau"):
        r = client.get(f"/api/complaints/{c.pk}", **api_token(demo.users[username]))
        assert r.status_code == 200 and r.json()["complainant"] is None and "13912345678" not in r.content.decode()
    r = client.get(f"/api/complaints/{c.pk}", **api_token(demo.users["dh1"]))
    assert r.status_code == 404 and r.json()["detail"] == "记录不存在，或不在您的辖区内。"
    listed = client.get("/api/complaints?status=", **api_token(demo.users["cg1"])).content.decode()
    assert "13912345678" not in listed
    assert AuditEvent.objects.filter(action="complaint.view_contact").count() == 1


def test_api_steps_as_actions(demo, api_token, named_complaint):
    c = named_complaint.complaint
    client = Client()
    h = api_token(demo.users["cg1"])
    assert client.post(f"/api/complaints/{c.pk}/accept", **h).json()["status"] == "accepted"
    r = client.post(f"/api/complaints/{c.pk}/reply", json.dumps({"reply": "x"}), content_type="application/json", **h)
    assert r.status_code == 409
    r = client.post(
        f"/api/complaints/{c.pk}/result", json.dumps({"result": "已整改"}), content_type="application/json", **h
    )
    assert r.json()["status"] == "result"
    r = client.post(
        f"/api/complaints/{c.pk}/reply", json.dumps({"reply": "已整改"}), content_type="application/json", **h
    )
    assert r.json()["status"] == "replied" and r.json()["steps"][-1]["kind"] == "replied"
    r = client.post(f"/api/complaints/{c.pk}/archive", **api_token(demo.users["dh1"]))
    assert r.status_code == 404
    c.refresh_from_db()
    assert c.status == Status.REPLIED


def test_api_list_scoped_and_constant_queries(demo, api_token):
    client = Client()
    h = api_token(demo.users["bureau"])
    file_public(demo.townships[0])
    assert_constant_queries(
        lambda: client.get("/api/complaints", **h),
        lambda: [file_public(demo.townships[i % 2]) for i in range(4)],
        exactly=5,
    )
    assert len(client.get("/api/complaints", **h).json()["items"]) == 5
    assert len(client.get("/api/complaints", **api_token(demo.users["dh1"])).json()["items"]) == 2


def test_a_step_the_complaint_has_moved_past_is_a_conflict_not_bad_input(demo, api_token, named_complaint):
    """409 for "reload: the record has moved on", 422 for "fix what you sent",
    with the same Chinese detail (issue 19: the fuzzing read every refusal of
    a state as a schema that did not say what the code checks)."""
    c = named_complaint.complaint
    h = api_token(demo.users["cg1"])
    assert Client().post(f"/api/complaints/{c.pk}/accept", **h).status_code == 200
    c.refresh_from_db()
    before = (c.status, AuditEvent.objects.count())
    url = f"/api/complaints/{c.pk}/reply"
    early = Client().post(url, json.dumps({"reply": "已处理"}), content_type="application/json", **h)
    assert early.status_code == 409 and "当前状态" in early.json()["detail"]
    empty = Client().post(url, json.dumps({"reply": 5}), content_type="application/json", **h)
    assert empty.status_code == 422 and empty.json()["detail"]
    c.refresh_from_db()
    assert (c.status, AuditEvent.objects.count()) == before


def test_staff_channels_are_the_models_but_the_public_forms(demo, api_token):
    """The staff create's schema names every channel the service takes and
    refuses ``web`` (the public form's) before the service is asked."""
    from typing import get_args

    from xieguan.complaints.models import Channel
    from xieguan.complaints.schemas import StaffChannel

    assert set(get_args(StaffChannel)) == set(Channel.values) - {Channel.WEB}
    payload = {
        "township_id": str(demo.townships[0].pk),
        "category": "medical",
        "channel": "web",
        "content": "诊所无证行医",
    }
    r = Client().post(
        "/api/complaints", json.dumps(payload), content_type="application/json", **api_token(demo.users["cg1"])
    )
    assert r.status_code == 422 and "channel" in r.json()["detail"]
    assert Complaint.objects.count() == 0
