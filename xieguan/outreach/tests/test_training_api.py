import datetime
import json
import uuid

import pytest
from django.test import Client

from xieguan.core.testing import assert_constant_queries
from xieguan.outreach import services
from xieguan.outreach.models import Attendance, Training
from xieguan.outreach.tests.factories import make_training


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def payload(area, **extra):
    data = {
        "area_id": str(area.pk),
        "level": "township",
        "topic": "信息员培训",
        "date": "2026-06-01",
        "hours": "3.5",
        "trainer": "王秀兰",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status", "made"), [("cg1", 201, 1), ("inst", 201, 1), ("bureau", 201, 1), ("dh1", 404, 0)]
)
def test_create_inside_above_and_beside(demo, api_token, who, status, made):
    response = post_json(Client(), "/api/trainings", payload(demo.townships[0]), **api_token(demo.users[who]))
    assert response.status_code == status
    assert Training.objects.count() == made
    if status == 201:
        assert (
            response.json()["level_label"] == "乡镇培训（村级信息员及本院人员）" and response.json()["hours"] == "3.5"
        )


def test_create_twice_with_one_id_makes_one(demo, api_token, comanager_in):
    record_id = str(uuid.uuid4())
    codes = [
        post_json(
            Client(), "/api/trainings", payload(demo.townships[0], id=record_id), **api_token(comanager_in)
        ).status_code
        for _ in range(2)
    ]
    assert codes == [201, 200] and Training.objects.count() == 1


@pytest.mark.parametrize("change", [{"level": "county"}, {"hours": "0"}, {"topic": ""}, {"level": "x"}])
def test_bad_input_is_422_in_chinese(demo, api_token, comanager_in, change):
    response = post_json(Client(), "/api/trainings", payload(demo.townships[0], **change), **api_token(comanager_in))
    assert response.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    assert not Training.objects.exists()


def test_get_one_inside_and_above(demo, api_token, comanager_in, inside_or_above):
    training = make_training(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 6, 1))
    assert Client().get(f"/api/trainings/{training.pk}", **api_token(inside_or_above)).status_code == 200


@pytest.mark.parametrize(
    ("who", "status", "made"), [("cg1", 201, 1), ("inst", 201, 1), ("bureau", 201, 1), ("dh1", 404, 0)]
)
def test_attendance_inside_above_and_beside(demo, api_token, comanager_in, who, status, made):
    training = make_training(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 6, 1))
    url = f"/api/trainings/{training.pk}/attendance"
    response = post_json(
        Client(), url, {"person_id": str(demo.users["cun1"].pk), "score": "90"}, **api_token(demo.users[who])
    )
    assert response.status_code == status
    assert Attendance.objects.count() == made


def test_attendance_is_idempotent_per_person(demo, api_token, comanager_in):
    training = make_training(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 6, 1))
    url = f"/api/trainings/{training.pk}/attendance"
    body = {"person_id": str(demo.users["cun1"].pk)}
    first = post_json(Client(), url, body, **api_token(comanager_in))
    again = post_json(Client(), url, body, **api_token(comanager_in))
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    assert Attendance.objects.count() == 1


def test_attendance_of_someone_outside_is_refused(demo, api_token, comanager_in, supervisor_of):
    training = make_training(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 6, 1))
    url = f"/api/trainings/{training.pk}/attendance"
    # dh1 is beyond cg1's scope: not found; for the county supervisor dh1 is visible but not in the township.
    assert (
        post_json(Client(), url, {"person_id": str(demo.users["dh1"].pk)}, **api_token(comanager_in)).status_code == 404
    )
    response = post_json(Client(), url, {"person_id": str(demo.users["dh1"].pk)}, **api_token(supervisor_of))
    assert response.status_code == 422 and "不在" in response.json()["detail"]
    assert not Attendance.objects.exists()


def test_list_is_scoped_with_constant_queries(demo, api_token, comanager_in, outsider, supervisor_of):
    make_training(area=demo.townships[1], by=outsider, date=datetime.date(2026, 2, 1))
    client = Client()
    assert client.get("/api/trainings", **api_token(comanager_in)).json()["items"] == []
    headers = api_token(demo.users["bureau"])

    def grow():
        for i in range(4):
            t = make_training(area=demo.county, by=supervisor_of, date=datetime.date(2026, 3, 1 + i))
            services.attendance_register(actor=supervisor_of, training=t, person=comanager_in)

    assert_constant_queries(lambda: client.get("/api/trainings", **headers), grow, exactly=3)
    items = client.get("/api/trainings", **headers).json()["items"]
    assert len(items) == 5 and sorted(i["attendee_count"] for i in items) == [0, 1, 1, 1, 1]
