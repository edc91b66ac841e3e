"""API of licences and staff certificates, what expires, and the registry
list's filters and sort: scoped inside / above / beside, idempotent creates,
Chinese 422s naming the field, nothing changed when refused."""

import datetime
import uuid

import pytest
from django.test import Client

from xieguan.core.testing import assert_constant_queries
from xieguan.units import services
from xieguan.units.models import CertificateKind, Licence, StaffCertificate, Unit
from xieguan.units.tests.factories import credit_code, make_unit

TODAY = datetime.date.today()


@pytest.fixture
def unit(demo, comanager_in):
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


def _post(user_headers, url, data):
    return Client().post(url, data, content_type="application/json", **user_headers)


LICENCE = {"kind": "卫生许可证", "number": "示卫2026001", "issuer": "示范县卫生健康局", "expires_on": "2029-01-01"}
CERTIFICATE = {"person_name": "王秀英", "kind": "health_certificate", "number": "JK1", "expires_on": "2027-01-01"}


@pytest.mark.parametrize(
    ("what", "payload", "model"), [("licences", LICENCE, Licence), ("certificates", CERTIFICATE, StaffCertificate)]
)
def test_create_is_idempotent_on_the_client_id(demo, api_token, unit, what, payload, model):
    headers = api_token(demo.users["cg1"])
    record_id = str(uuid.uuid4())
    first = _post(headers, f"/api/units/{unit.pk}/{what}", {**payload, "id": record_id})
    again = _post(headers, f"/api/units/{unit.pk}/{what}", {**payload, "id": record_id})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and first.json()["id"] == record_id
    assert model.objects.filter(unit=unit).count() == 1
    listed = Client().get(f"/api/units/{unit.pk}/{what}", **headers).json()
    assert [item["id"] for item in listed["items"]] == [record_id]


@pytest.mark.parametrize(
    ("who", "status"), [("cg1", 201), ("inst", 201), ("bureau", 201), ("city", 403), ("cun1", 403), ("dh1", 404)]
)
@pytest.mark.parametrize(("what", "payload"), [("licences", LICENCE), ("certificates", CERTIFICATE)])
def test_create_inside_above_and_beside(demo, api_token, unit, who, status, what, payload):
    response = _post(api_token(demo.users[who]), f"/api/units/{unit.pk}/{what}", payload)
    assert response.status_code == status
    assert "detail" in response.json() or status == 201
    expected = 1 if status == 201 else 0
    assert Licence.objects.count() + StaffCertificate.objects.count() == expected


def test_unit_lists_of_licences_inside_and_above(demo, api_token, unit, inside_or_above):
    services.licence_add(actor=demo.users["cg1"], unit=unit, kind="卫生许可证", number="1")
    for what in ("licences", "certificates"):
        assert Client().get(f"/api/units/{unit.pk}/{what}", **api_token(inside_or_above)).status_code == 200


@pytest.mark.parametrize(
    ("what", "payload", "field", "message"),
    [
        ("licences", {**LICENCE, "number": "  "}, "number", "请填写许可证号"),
        ("licences", {**LICENCE, "issued_on": "2030-01-01"}, "expires_on", "有效期截止日早于发证日期"),
        ("licences", {**LICENCE, "expires_on": "2029.1.1"}, "expires_on", "日期"),
        ("certificates", {**CERTIFICATE, "kind": "driving"}, "kind", "健康证"),
        ("certificates", {**CERTIFICATE, "person_name": ""}, "person_name", "请填写"),
    ],
)
def test_bad_input_answers_422_in_chinese_naming_the_field(demo, api_token, unit, what, payload, field, message):
    response = _post(api_token(demo.users["cg1"]), f"/api/units/{unit.pk}/{what}", payload)
    assert response.status_code == 422
    body = response.json()
    assert field in body["fields"] and field in body["detail"] and message in body["detail"], body
    assert not Licence.objects.exists() and not StaffCertificate.objects.exists()


@pytest.fixture
def due(demo, comanager_in, outsider, unit):
    other = make_unit(outsider, demo.villages[3], name="河东饭店")
    for u, days, number in [(unit, 10, "快到期"), (unit, -5, "已过期"), (unit, 200, "还早"), (other, 3, "河东快到期")]:
        services.licence_add(
            actor=demo.users["bureau"],
            unit=u,
            kind="卫生许可证",
            number=number,
            expires_on=TODAY + datetime.timedelta(days),
        )
    services.certificate_add(
        actor=comanager_in,
        unit=unit,
        person_name="李秀英",
        kind=CertificateKind.HEALTH,
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    return unit


@pytest.mark.parametrize(
    ("who", "query", "numbers"),
    [
        ("cg1", "?expiring=30", ["快到期"]),
        ("cg1", "", ["快到期"]),
        ("cg1", "?expired=1", ["已过期"]),
        ("cg1", "?expiring=365", ["快到期", "还早"]),
        ("bureau", "?expiring=30", ["河东快到期", "快到期"]),
        ("dh1", "?expiring=30", ["河东快到期"]),
        ("dh1", "?expired=1", []),
    ],
)
def test_licences_due_are_scoped(demo, api_token, due, who, query, numbers):
    response = Client().get("/api/licences" + query, **api_token(demo.users[who]))
    assert response.status_code == 200
    assert [item["number"] for item in response.json()["items"]] == numbers


@pytest.mark.parametrize(("who", "names"), [("cg1", ["李秀英"]), ("inst", ["李秀英"]), ("dh1", [])])
def test_certificates_due_are_scoped(demo, api_token, due, who, names):
    response = Client().get("/api/certificates?expired=1", **api_token(demo.users[who]))
    assert [item["person_name"] for item in response.json()["items"]] == names


def test_bad_expiring_answers_422_in_chinese(demo, api_token, due):
    response = Client().get("/api/licences?expiring=abc", **api_token(demo.users["cg1"]))
    assert response.status_code == 422 and "expiring" in response.json()["detail"]
    assert "整数" in response.json()["detail"]


def test_licences_due_query_count_does_not_grow(demo, api_token, due):
    headers = api_token(demo.users["bureau"])
    unit = Unit.objects.get(name="河东饭店")

    def grow():
        for i in range(4):
            services.licence_add(
                actor=demo.users["bureau"], unit=unit, kind="卫生许可证", number=f"N{i}", expires_on=TODAY
            )

    assert_constant_queries(lambda: Client().get("/api/licences", **headers), grow, exactly=3)


def test_unit_detail_carries_certificates(demo, api_token, due):
    body = Client().get(f"/api/units/{due.pk}", **api_token(demo.users["cg1"])).json()
    assert [c["person_name"] for c in body["certificates"]] == ["李秀英"]
    assert sorted(lic["number"] for lic in body["licences"]) == ["已过期", "快到期", "还早"]


# The registry list through the API: the page's filters and sort ------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?licence_expired=true", ["红星酒店"]),
        ("?licence_expiring=true", ["红星酒店"]),
        ("?q=hxjd", ["红星酒店"]),
        (f"?q={credit_code(1)[:8]}", ["红星酒店"]),
        ("?status=suspended", ["停业店"]),
        ("?key_unit=true", ["重点店"]),
        ("?sort=recent", ["重点店", "停业店", "红星酒店"]),
    ],
)
def test_unit_list_filters_and_sort_as_the_page(demo, api_token, comanager_in, due, query, names):
    make_unit(comanager_in, demo.villages[1], name="停业店", status="suspended")
    make_unit(comanager_in, demo.villages[1], name="重点店", is_key_unit=True)
    response = Client().get("/api/units" + query, **api_token(comanager_in))
    assert response.status_code == 200
    assert [u["name"] for u in response.json()["items"]] == names


def test_unit_list_rejects_an_unknown_sort_in_chinese(demo, api_token, comanager_in):
    response = Client().get("/api/units?sort=size", **api_token(comanager_in))
    assert response.status_code == 422 and "sort" in response.json()["detail"]


def test_openapi_describes_the_new_endpoints(demo, api_token, comanager_in):
    spec = Client().get("/api/openapi.json").json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/units/{unit_id}/licences"])
    assert {"get", "post"} <= set(paths["/api/units/{unit_id}/certificates"])
    params = {p["name"] for p in paths["/api/licences"]["get"]["parameters"]}
    assert {"expiring", "expired", "after", "limit"} <= params
    unit_params = {p["name"] for p in paths["/api/units"]["get"]["parameters"]}
    assert {"q", "category", "subtype_id", "area_id", "status", "key_unit", "risk_grade", "incomplete"} <= unit_params
    assert {"licence_expiring", "licence_expired", "sort"} <= unit_params
    created = paths["/api/units/{unit_id}/licences"]["post"]["responses"]
    assert {"200", "201", "404", "422"} <= set(created)


def test_a_credit_code_taken_in_the_county_is_422_naming_the_field(demo, api_token, unit):
    payload = {
        "name": "重复代码店",
        "credit_code": unit.credit_code,
        "area_id": str(demo.villages[3].pk),
        "category": "food",
    }
    response = _post(api_token(demo.users["bureau"]), "/api/units", payload)
    assert response.status_code == 422
    assert "credit_code" in response.json()["fields"] and "已使用统一社会信用代码" in response.json()["detail"]
    assert not Unit.objects.filter(name="重复代码店").exists()


@pytest.mark.parametrize("narrow", [500, 0])
@pytest.mark.parametrize("who", ["cg1", "inst", "bureau", "dh1", "city", "cun1", "admin"])
def test_units_in_scope_are_exactly_the_visible_ones(demo, comanager_in, outsider, monkeypatch, narrow, who):
    """Narrow scopes go to the database as area ids, wide ones as a path
    join: the same rows either way."""
    from xieguan.core import scope
    from xieguan.units import selectors

    make_unit(comanager_in, demo.villages[1], name="城关店")
    make_unit(comanager_in, demo.townships[0], name="城关镇上店")
    make_unit(outsider, demo.villages[3], name="河东店")
    monkeypatch.setattr(scope, "NARROW_SCOPE_AREAS", narrow)
    user = demo.users[who]
    assert set(selectors.units_in_scope(user)) == set(Unit.objects.visible_to(user))
