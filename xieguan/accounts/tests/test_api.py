import json
import uuid

import pytest
from django.test import Client

from xieguan.accounts.models import ApiToken, Institution
from xieguan.areas.models import Area
from xieguan.core.testing import assert_constant_queries


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_token_then_me(demo, demo_password):
    client = Client()
    response = post_json(client, "/api/auth/token", {"username": "cg1", "password": demo_password})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "cg1" and me["roles"] == ["comanager"] and me["area_name"] == "城关镇"


def test_wrong_password_is_401_in_chinese_and_counts_towards_lockout(demo, demo_password):
    client = Client()
    for _ in range(4):
        response = post_json(client, "/api/auth/token", {"username": "cg1", "password": "nope"})
        assert response.status_code == 401 and "用户名或密码错误" in response.json()["detail"]
    response = post_json(client, "/api/auth/token", {"username": "cg1", "password": "nope"})
    assert response.status_code == 429
    response = post_json(client, "/api/auth/token", {"username": "cg1", "password": demo_password})
    assert response.status_code == 429 and "锁定" in response.json()["detail"]


def test_revoked_token_no_longer_works(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    client = Client()
    assert client.delete("/api/auth/token", **headers).status_code == 204
    response = client.get("/api/me", **headers)
    assert response.status_code == 401 and "请先登录" in response.json()["detail"]
    assert ApiToken.objects.filter(user=comanager_in, revoked_at__isnull=False).exists()


def test_a_token_use_is_written_at_most_once_a_minute(demo, api_token, comanager_in, settings):
    """The field app's burst (a record, its photos, signatures) writes the
    token's last use once, not once per request; a use after the minute is
    written again."""
    import datetime

    from django.utils import timezone

    settings.API_TOKEN_TOUCH_SECONDS = 60
    headers, client = api_token(comanager_in), Client()
    assert client.get("/api/me", **headers).status_code == 200
    token = ApiToken.objects.get(user=comanager_in, revoked_at__isnull=True)
    first = token.last_used_at
    assert first is not None
    client.get("/api/me", **headers)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(seconds=61))
    client.get("/api/me", **headers)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - datetime.timedelta(seconds=1)
    assert timezone.now() - ApiToken.objects.get(pk=token.pk).last_used_at < datetime.timedelta(seconds=5)


def test_no_token_is_401_in_chinese(demo):
    response = Client().get("/api/areas")
    assert response.status_code == 401 and "请先登录" in response.json()["detail"]


@pytest.mark.parametrize(("who", "count"), [("cg1", 4), ("bureau", 27), ("dh1", 3)])
def test_area_list_is_scoped(demo, api_token, who, count):
    response = Client().get("/api/areas?limit=200", **api_token(demo.users[who]))
    assert len(response.json()["items"]) == count


def test_area_and_institution_get_inside_and_above(demo, api_token, inside_or_above):
    client = Client()
    headers = api_token(inside_or_above)
    assert client.get(f"/api/areas/{demo.townships[0].pk}", **headers).status_code == 200
    assert client.get(f"/api/institutions/{demo.stations[0].pk}", **headers).status_code == 200


def test_an_institution_beside_answers_404_in_chinese(demo, api_token, outsider):
    response = Client().get(f"/api/institutions/{demo.stations[0].pk}", **api_token(outsider))
    assert response.status_code == 404 and "不在您的辖区" in response.json()["detail"]


def test_area_create_is_idempotent_on_the_client_id(demo, api_token, county_admin):
    client, headers = Client(), api_token(county_admin)
    body = {"id": str(uuid.uuid4()), "parent_id": str(demo.townships[0].pk), "name": "新村", "code": "990101100203"}
    first = post_json(client, "/api/areas", body, **headers)
    again = post_json(client, "/api/areas", body, **headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Area.objects.filter(name="新村").count() == 1


def test_bad_area_code_is_422_naming_the_field(demo, api_token, county_admin):
    body = {"parent_id": str(demo.townships[0].pk), "name": "新村", "code": "990101200203"}
    response = post_json(Client(), "/api/areas", body, **api_token(county_admin))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("code：") and "应以 990101100 开头" in response.json()["detail"]
    assert not Area.objects.filter(name="新村").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"parent_id": "not-a-uuid", "name": "x"},
        {"name": "x"},
        {"parent_id": 5, "name": ["x"]},
        {"id": "zzz", "name": "x"},
    ],
)
def test_wrong_types_are_422_in_chinese(demo, api_token, county_admin, body):
    response = post_json(Client(), "/api/areas", body, **api_token(county_admin))
    assert response.status_code == 422
    assert "请求数据有误" in response.json()["detail"]


def test_broken_json_is_a_chinese_error(demo, api_token, county_admin):
    response = Client().post("/api/areas", "{not json", content_type="application/json", **api_token(county_admin))
    assert response.status_code in (400, 422)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


def test_creating_in_another_township_is_404_and_nothing_changes(demo, api_token, outsider):
    body = {"parent_id": str(demo.townships[0].pk), "name": "越界村"}
    response = post_json(Client(), "/api/areas", body, **api_token(outsider))
    assert response.status_code == 404
    assert not Area.objects.filter(name="越界村").exists()


def test_comanager_may_not_create_institutions(demo, api_token, comanager_in):
    body = {"name": "新站", "type": "info_point", "area_id": str(demo.villages[0].pk)}
    response = post_json(Client(), "/api/institutions", body, **api_token(comanager_in))
    assert response.status_code == 403 and "无权" in response.json()["detail"]
    assert not Institution.objects.filter(name="新站").exists()


def test_institution_create_is_idempotent(demo, api_token, county_admin):
    client, headers = Client(), api_token(county_admin)
    body = {"id": str(uuid.uuid4()), "name": "新信息点", "type": "info_point", "area_id": str(demo.villages[0].pk)}
    assert post_json(client, "/api/institutions", body, **headers).status_code == 201
    assert post_json(client, "/api/institutions", body, **headers).status_code == 200
    assert Institution.objects.filter(name="新信息点").count() == 1


def test_forged_cursor_is_422(demo, api_token, county_admin):
    response = Client().get("/api/areas?after=forged", **api_token(county_admin))
    assert response.status_code == 422 and "翻页" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/areas", "/api/institutions"])
def test_list_endpoints_query_count_does_not_grow(demo, api_token, county_admin, url):
    from xieguan.accounts.services import institution_create
    from xieguan.areas.services import area_create

    client, headers = Client(), api_token(county_admin)

    def grow():
        for i in range(5):
            area = area_create(actor=county_admin, parent=demo.townships[2], name=f"增村{i}")
            institution_create(actor=county_admin, area=area, name=f"增点{i}", type="info_point")

    assert_constant_queries(lambda: client.get(url, **headers), grow, exactly=3)


def test_openapi_document_describes_every_endpoint(db):
    doc = Client().get("/api/openapi.json").json()
    paths = doc["paths"]
    for path in [
        "/api/auth/token",
        "/api/me",
        "/api/areas",
        "/api/areas/{area_id}",
        "/api/institutions",
        "/api/institutions/{institution_id}",
    ]:
        assert path in paths, path
    assert "id" in doc["components"]["schemas"]["AreaIn"]["properties"]
    assert "bearer" in json.dumps(doc["components"]["securitySchemes"]).lower()


@pytest.mark.parametrize(("who", "seen"), [("cg1", True), ("bureau", True), ("dh1", False)])
def test_institution_list_searches_by_name_within_the_scope(demo, api_token, who, seen):
    """What the institution picker does, the API does: q is part of the name."""
    station = demo.stations[0]
    part = station.name[:3]
    names = [
        i["name"] for i in Client().get(f"/api/institutions?q={part}", **api_token(demo.users[who])).json()["items"]
    ]
    assert (station.name in names) is seen
    assert all(part in name for name in names)
