"""Correcting and deleting publicity records and trainings, filtering the
lists, guidance in the unit file, and the API's PATCH/DELETE/photos."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.outreach import services
from xieguan.outreach.models import Attendance, Outreach, OutreachPhoto, Training
from xieguan.outreach.tests.factories import make_outreach, make_training
from xieguan.units.tests.factories import make_unit

DAY = datetime.date(2026, 5, 10)


def jpeg_bytes(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def activity(demo, comanager_in, township):
    return make_outreach(area=township, by=comanager_in, date=DAY, theme="饮用水卫生宣传")


# -- services ---------------------------------------------------------------


def test_correction_is_audited_before_and_after(demo, comanager_in, activity):
    services.outreach_update(actor=comanager_in, record=activity, theme="学校卫生宣传", audience_count=55)
    activity.refresh_from_db()
    assert (activity.theme, activity.audience_count) == ("学校卫生宣传", 55)
    event = AuditEvent.objects.get(action="outreach.update", object_id=str(activity.pk))
    assert event.changes["theme"] == ["饮用水卫生宣传", "学校卫生宣传"]


def test_correction_refuses_bad_values_and_changes_nothing(demo, comanager_in, activity):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        services.outreach_update(actor=comanager_in, record=activity, date=tomorrow, theme="")
    assert {"date", "theme"} & set(caught.value.error_dict)
    activity.refresh_from_db()
    assert activity.theme == "饮用水卫生宣传" and activity.date == DAY
    assert not AuditEvent.objects.filter(action="outreach.update").exists()


def test_delete_keeps_what_it_was_in_the_audit_log(demo, comanager_in, activity, django_capture_on_commit_callbacks):
    photo, _ = services.outreach_photo_add(
        actor=comanager_in, outreach=activity, upload=SimpleUploadedFile("p.jpg", jpeg_bytes())
    )
    storage, name, pk = photo.image.storage, photo.image.name, activity.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.outreach_delete(actor=comanager_in, record=activity)
    assert not Outreach.objects.exists() and not OutreachPhoto.objects.exists()
    assert not storage.exists(name)
    event = AuditEvent.objects.get(action="outreach.delete", object_id=str(pk))
    assert event.changes["theme"][0] == "饮用水卫生宣传"


def test_training_with_attendees_cannot_be_deleted_but_can_be_corrected(demo, supervisor_of, comanager_in):
    training = make_training(area=demo.county, by=supervisor_of, date=DAY, hours="4")
    Attendance.objects.create(
        training=training, person=comanager_in, signed_at=training.created_at, method="registered"
    )
    with pytest.raises(ValidationError) as caught:
        services.training_delete(actor=supervisor_of, training=training)
    assert "签到" in " ".join(caught.value.messages)
    services.training_update(actor=supervisor_of, training=training, hours=Decimal("6"))
    training.refresh_from_db()
    assert training.hours == Decimal("6")
    assert AuditEvent.objects.filter(action="training.update", object_id=str(training.pk)).exists()


# -- pages ------------------------------------------------------------------


def test_list_filters_narrow_the_records(demo, login, comanager_in, township):
    make_outreach(area=township, by=comanager_in, date=DAY, theme="控烟宣传", form="lecture")
    make_outreach(area=township, by=comanager_in, date=DAY, theme="饮用水咨询", form="consultation")
    make_outreach(area=township, by=comanager_in, date=DAY.replace(year=2025), theme="去年的咨询", form="consultation")
    client = login(comanager_in)
    page = client.get(reverse("outreach:list"), {"form": "consultation", "year": 2026}).content.decode()
    assert "饮用水咨询" in page and "控烟宣传" not in page and "去年的咨询" not in page
    page = client.get(reverse("outreach:list"), {"q": "控烟"}).content.decode()
    assert "控烟宣传" in page and "饮用水咨询" not in page
    # A bad filter value is shown as such and does not break the page.
    assert client.get(reverse("outreach:list"), {"year": "abc"}).status_code == 200


def test_list_queries_do_not_grow_with_rows(demo, login, comanager_in, township):
    client = login(comanager_in)
    assert_constant_queries(
        lambda: client.get(reverse("outreach:list"), {"form": "consultation"}),
        lambda: [make_outreach(area=township, by=comanager_in, date=DAY) for _ in range(5)],
        exactly=10,
    )


def test_edit_keeps_what_was_typed_on_error(demo, login, comanager_in, activity):
    client = login(comanager_in)
    data = {
        "area": activity.area_id,
        "date": "2099-01-01",
        "place": "新地点（已输入）",
        "form": "consultation",
        "theme": "改过的主题",
        "audience_count": 10,
        "materials_count": 0,
    }
    response = client.post(reverse("outreach:edit", args=[activity.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "新地点（已输入）" in body and "改过的主题" in body
    activity.refresh_from_db()
    assert activity.theme == "饮用水卫生宣传"
    data["date"] = "2026-05-11"
    assert client.post(reverse("outreach:edit", args=[activity.pk]), data).status_code == 302
    activity.refresh_from_db()
    assert activity.theme == "改过的主题"


@pytest.mark.parametrize(("who", "status"), [("dh1", 404), ("bureau", 403)])
def test_others_cannot_edit_or_delete(demo, login, activity, who, status):
    client = login(demo.users[who])
    assert client.get(reverse("outreach:edit", args=[activity.pk])).status_code == status
    assert client.post(reverse("outreach:delete", args=[activity.pk])).status_code == status
    assert Outreach.objects.filter(pk=activity.pk).exists()


def test_delete_asks_first(demo, login, comanager_in, activity):
    client = login(comanager_in)
    assert "饮用水卫生宣传" in client.get(reverse("outreach:delete", args=[activity.pk])).content.decode()
    assert Outreach.objects.filter(pk=activity.pk).exists()
    assert client.post(reverse("outreach:delete", args=[activity.pk])).status_code == 302
    assert not Outreach.objects.filter(pk=activity.pk).exists()


def test_guidance_started_from_the_unit_shows_in_its_file(demo, login, comanager_in, outsider, township):
    unit = make_unit(comanager_in, demo.villages[0], name="红星酒店")
    client = login(comanager_in)
    form_page = client.get(reverse("outreach:create"), {"unit": unit.pk}).content.decode()
    assert f'value="{unit.pk}" checked' in form_page
    response = client.post(
        reverse("outreach:create"),
        {
            "area": unit.area_id,
            "date": "2026-05-10",
            "place": unit.address,
            "form": "guidance",
            "theme": "指导完善从业人员健康证",
            "audience_count": 3,
            "materials_count": 0,
            "unit": unit.pk,
        },
    )
    assert response.status_code == 302
    file_page = client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert "指导完善从业人员健康证" in file_page
    # The other township's co-manager cannot even open the form for this unit.
    assert login(outsider).get(reverse("outreach:create"), {"unit": unit.pk}).status_code == 404


def test_training_can_be_corrected_and_deleted_on_pages(demo, login, supervisor_of):
    training = make_training(area=demo.county, by=supervisor_of, date=DAY, hours="4", topic="旧主题")
    client = login(supervisor_of)
    data = {"topic": "新主题", "date": "2026-05-10", "hours": "3.5", "trainer": "王老师", "materials": ""}
    assert client.post(reverse("outreach:training_edit", args=[training.pk]), data).status_code == 302
    training.refresh_from_db()
    assert (training.topic, training.hours) == ("新主题", Decimal("3.5"))
    assert client.post(reverse("outreach:training_delete", args=[training.pk])).status_code == 302
    assert not Training.objects.filter(pk=training.pk).exists()


def test_person_page_links_to_their_training_hours(demo, login, county_admin, comanager_in):
    page = login(county_admin).get(reverse("accounts:person_detail", args=[comanager_in.pk])).content.decode()
    assert reverse("outreach:hours_person", args=[comanager_in.pk]) in page


# -- API --------------------------------------------------------------------


def test_api_patch_and_delete(demo, api_token, comanager_in, outsider, activity):
    client = Client()
    url = f"/api/outreach/{activity.pk}"
    response = client.patch(
        url, json.dumps({"theme": "API 改的主题"}), content_type="application/json", **api_token(comanager_in)
    )
    assert response.status_code == 200 and response.json()["theme"] == "API 改的主题"
    response = client.patch(url, json.dumps({"theme": "x"}), content_type="application/json", **api_token(outsider))
    assert response.status_code == 404 and response.json()["detail"]
    assert client.delete(url, **api_token(outsider)).status_code == 404
    assert client.delete(url, **api_token(comanager_in)).status_code == 204
    assert not Outreach.objects.exists()


def test_api_guidance_to_another_areas_unit_is_422(demo, api_token, comanager_in, outsider, township, sibling_township):
    theirs = make_unit(outsider, sibling_township)
    body = {
        "area_id": str(township.pk),
        "date": "2026-05-10",
        "place": "x",
        "form": "guidance",
        "theme": "指导",
        "unit_id": str(theirs.pk),
    }
    response = Client().post(
        "/api/outreach", json.dumps(body), content_type="application/json", **api_token(comanager_in)
    )
    assert (response.status_code == 422 and "unit_id" in response.json()["detail"]) or "单位" in response.json()[
        "detail"
    ]
    assert not Outreach.objects.exists()


def test_api_photo_upload_is_idempotent_and_refuses_non_photos(demo, api_token, comanager_in, outsider, activity):
    client = Client()
    url = f"/api/outreach/{activity.pk}/photos"
    first = client.post(url, {"image": SimpleUploadedFile("a.jpg", jpeg_bytes())}, **api_token(comanager_in))
    assert first.status_code == 201 and first.json()["width"] == 640
    again = client.post(url, {"image": SimpleUploadedFile("a.jpg", jpeg_bytes())}, **api_token(comanager_in))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = client.post(url, {"image": SimpleUploadedFile("a.jpg", b"not a photo")}, **api_token(comanager_in))
    assert bad.status_code == 422 and "不是照片" in bad.json()["detail"]
    beside = client.post(url, {"image": SimpleUploadedFile("b.jpg", jpeg_bytes((0, 0, 255)))}, **api_token(outsider))
    assert beside.status_code == 404
    assert OutreachPhoto.objects.count() == 1
    listed = client.get(url, **api_token(comanager_in)).json()
    assert [p["id"] for p in listed] == [first.json()["id"]]
    assert client.get(listed[0]["url"], **api_token(comanager_in)).status_code in (200, 302)


def test_api_list_filters(demo, api_token, comanager_in, township):
    make_outreach(area=township, by=comanager_in, date=DAY, theme="控烟宣传", form="lecture")
    make_outreach(area=township, by=comanager_in, date=DAY, theme="饮用水咨询", form="consultation")
    items = Client().get("/api/outreach", {"form": "lecture"}, **api_token(comanager_in)).json()["items"]
    assert [i["theme"] for i in items] == ["控烟宣传"]
    items = Client().get("/api/outreach", {"q": "饮用水", "year": 2026}, **api_token(comanager_in)).json()["items"]
    assert [i["theme"] for i in items] == ["饮用水咨询"]
    assert Client().get("/api/outreach", {"form": "nonsense"}, **api_token(comanager_in)).status_code == 422
