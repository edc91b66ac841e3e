import datetime
import json
import uuid

import pytest
from django.test import Client

from xieguan.core.testing import assert_constant_queries
from xieguan.outreach.models import Outreach
from xieguan.outreach.tests.factories import make_outreach


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def payload(area, **extra):
    data = {
        "area_id": str(area.pk),
        "date": "2026-05-10",
        "place": "集贸市场",
        "form": "leaflets",
        "theme": "公共场所卫生",
        "audience_count": 80,
        "materials_count": 500,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize(
    ("who", "status", "made"), [("cg1", 201, 1), ("inst", 201, 1), ("bureau", 403, 0), ("dh1", 404, 0)]
)
def test_create_inside_above_and_beside(demo, api_token, who, status, made):
    response = post_json(Client(), "/api/outreach", payload(demo.townships[0]), **api_token(demo.users[who]))
    assert response.status_code == status
    assert Outreach.objects.count() == made
    if status == 201:
        body = response.json()
        assert body["form_label"] == "发放宣传资料" and body["area_name"] == "城关镇"
    else:
        assert response.json()["detail"]


def test_create_twice_with_one_id_makes_one(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    record_id = str(uuid.uuid4())
    first = post_json(Client(), "/api/outreach", payload(demo.townships[0], id=record_id), **headers)
    again = post_json(Client(), "/api/outreach", payload(demo.townships[0], id=record_id), **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == record_id
    assert Outreach.objects.count() == 1


def test_id_of_another_areas_record_is_404(demo, api_token, comanager_in, outsider):
    theirs = make_outreach(area=demo.townships[1], by=outsider, date=datetime.date(2026, 3, 1), theme="河东宣传")
    response = post_json(
        Client(), "/api/outreach", payload(demo.townships[0], id=str(theirs.pk)), **api_token(comanager_in)
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.theme == "河东宣传" and Outreach.objects.count() == 1


@pytest.mark.parametrize(
    "change", [{"form": "parade"}, {"theme": ""}, {"audience_count": -1}, {"date": "2999-01-01"}, {"area_id": "x"}]
)
def test_bad_input_is_422_in_chinese(demo, api_token, comanager_in, change):
    response = post_json(Client(), "/api/outreach", payload(demo.townships[0], **change), **api_token(comanager_in))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail)
    assert not Outreach.objects.exists()


def test_get_one_inside_and_above(demo, api_token, comanager_in, inside_or_above):
    mine = make_outreach(area=demo.villages[1], by=comanager_in, date=datetime.date(2026, 3, 1))
    response = Client().get(f"/api/outreach/{mine.pk}", **api_token(inside_or_above))
    assert response.status_code == 200 and response.json()["id"] == str(mine.pk)


def test_list_is_scoped_and_constant_in_queries(demo, api_token, comanager_in, outsider):
    make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 3, 1))
    make_outreach(area=demo.townships[1], by=outsider, date=datetime.date(2026, 3, 2))
    headers = api_token(demo.users["bureau"])
    client = Client()
    assert len(client.get("/api/outreach", **api_token(comanager_in)).json()["items"]) == 1
    assert len(client.get("/api/outreach", **api_token(outsider)).json()["items"]) == 1

    def grow():
        for i in range(6):
            make_outreach(area=demo.villages[1], by=comanager_in, date=datetime.date(2026, 4, 1 + i))

    assert_constant_queries(lambda: client.get("/api/outreach", **headers), grow, exactly=3)
    assert len(client.get("/api/outreach", **headers).json()["items"]) == 8
