import uuid

import pytest
from django.test import Client

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.units.models import Category, Unit
from xieguan.units.tests.factories import credit_code, make_unit


@pytest.fixture
def unit(demo, comanager_in):
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


def _payload(demo, **overrides):
    food = Category.objects.get(code="food")
    data = {
        "name": "新开饭店",
        "credit_code": credit_code(9),
        "area_id": str(demo.villages[1].pk),
        "category": "food",
        "subtype_id": food.subtypes.first().pk,
        "address": "李家村 3 组",
        "legal_representative": "王五",
        "phone": "13800002222",
        "extra": {"seats": 30, "food_licence_no": "JY2"},
    }
    data.update(overrides)
    return data


def test_get_inside_and_above(api_token, unit, inside_or_above):
    """Beside (404) and read-only above (200, no PATCH): the route sweep."""
    response = Client().get(f"/api/units/{unit.pk}", **api_token(inside_or_above))
    assert response.status_code == 200
    assert response.json()["name"] == "红星酒店" and response.json()["missing_fields"] == []


def test_patch_inside_and_above(api_token, unit, inside_or_above):
    response = Client().patch(
        f"/api/units/{unit.pk}", {"name": "改名"}, content_type="application/json", **api_token(inside_or_above)
    )
    assert response.status_code == 200
    unit.refresh_from_db()
    assert unit.name == "改名"
    # Refused PATCHes (beside, read-only above) change nothing, audit included: the route sweep.
    assert AuditEvent.objects.for_object(unit).filter(action="unit.update").exists()


@pytest.mark.parametrize(("who", "count"), [("cg1", 1), ("bureau", 2), ("dh1", 1), ("cun1", 1)])
def test_list_is_scoped(demo, api_token, unit, outsider, who, count):
    make_unit(outsider, demo.villages[3], name="河东饭店")
    response = Client().get("/api/units", **api_token(demo.users[who]))
    assert response.status_code == 200
    assert len(response.json()["items"]) == count


def test_list_filters_and_pinyin_search(demo, api_token, unit, comanager_in):
    make_unit(comanager_in, demo.villages[1], name="李家村卫生室", phone="")
    headers = api_token(comanager_in)
    assert [u["name"] for u in Client().get("/api/units?q=hxjd", **headers).json()["items"]] == ["红星酒店"]
    incomplete = Client().get("/api/units?incomplete=true", **headers).json()["items"]
    assert [u["name"] for u in incomplete] == ["李家村卫生室"]


def test_list_pages_and_query_count_is_constant(demo, api_token, county_admin, comanager_in):
    headers = api_token(county_admin)
    assert_constant_queries(
        lambda: Client().get("/api/units?limit=3", **headers),
        lambda: [make_unit(comanager_in, demo.villages[1], name=f"店{i}") for i in range(6)],
        exactly=3,  # a county's scope is its units' county column: no query for its areas first
    )
    first = Client().get("/api/units?limit=3", **headers).json()
    second = Client().get(f"/api/units?limit=3&after={first['next']}", **headers).json()
    assert len(second["items"]) == 3 and second["items"][0]["name"] > first["items"][-1]["name"]


def test_create_then_retry_with_the_same_id(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    body = _payload(demo, id=str(uuid.uuid4()))
    first = Client().post("/api/units", body, content_type="application/json", **headers)
    assert first.status_code == 201 and first.json()["is_complete"] is True
    again = Client().post("/api/units", body, content_type="application/json", **headers)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Unit.objects.count() == 1


def test_invalid_credit_code_is_422_naming_the_field_in_chinese(demo, api_token, comanager_in):
    response = Client().post(
        "/api/units",
        _payload(demo, credit_code="91350100M000100Y44"),
        content_type="application/json",
        **api_token(comanager_in),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("credit_code：") and "校验码应为 3" in body["detail"]
    assert "credit_code" in body["fields"]
    assert not Unit.objects.exists()


def test_creating_in_the_neighbours_village_is_404(demo, api_token, comanager_in):
    response = Client().post(
        "/api/units",
        _payload(demo, area_id=str(demo.villages[3].pk)),
        content_type="application/json",
        **api_token(comanager_in),
    )
    assert response.status_code == 404
    assert not Unit.objects.exists()


def test_unknown_category_is_422(demo, api_token, comanager_in):
    response = Client().post(
        "/api/units", _payload(demo, category="nope"), content_type="application/json", **api_token(comanager_in)
    )
    assert response.status_code == 422 and "category" in response.json()["fields"]


def test_patch_with_bad_credit_code_is_422_and_changes_nothing(demo, api_token, unit, comanager_in):
    response = Client().patch(
        f"/api/units/{unit.pk}",
        {"credit_code": "91350100M000I00Y43", "name": "改名"},
        content_type="application/json",
        **api_token(comanager_in),
    )
    assert response.status_code == 422 and "第 13 位" in response.json()["detail"]
    unit.refresh_from_db()
    assert unit.name == "红星酒店" and unit.credit_code == credit_code(1)


@pytest.mark.parametrize(
    "body",
    [
        {"name": None},
        {"category": None},
        {"status": None},
        {"area_id": None},
        {"latitude": "", "longitude": ""},
        {"latitude": 91, "longitude": 100},
        {"status": "gone"},
        {"hygiene_grade": "D"},
    ],
)
def test_patch_refuses_what_the_document_rules_out_in_chinese_and_changes_nothing(
    demo, api_token, unit, comanager_in, body
):
    """A name, an area, a category and a status may be left out but not sent
    as null; a GPS fix is a number in range; statuses and grades are the
    listed ones: the request schema says so, and the answer is a Chinese 422."""
    response = Client().patch(f"/api/units/{unit.pk}", body, content_type="application/json", **api_token(comanager_in))
    assert response.status_code == 422, response.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    unit.refresh_from_db()
    assert unit.name == "红星酒店" and unit.status == "open" and unit.latitude is None


def test_patch_extra_keeps_other_fields_and_reports_completeness(demo, api_token, unit, comanager_in):
    response = Client().patch(
        f"/api/units/{unit.pk}", {"extra": {"seats": 12}}, content_type="application/json", **api_token(comanager_in)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["extra"] == {"seats": 12} and body["is_complete"] is False and body["name"] == "红星酒店"


def test_the_merge_schema_names_the_fields_a_merge_takes():
    from xieguan.units.schemas import MERGE_FIELD_NAMES
    from xieguan.units.services import MERGE_FIELDS

    assert sorted(MERGE_FIELD_NAMES) == sorted(MERGE_FIELDS)
