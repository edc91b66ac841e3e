import datetime
import json
import uuid

import pytest
from django.test import Client

from xieguan.core.testing import assert_constant_queries
from xieguan.outreach.models import Outreach
from xieguan.reports.models import Report
from xieguan.units.models import Unit
from xieguan.units.tests.factories import credit_code, make_unit


def bootstrap(user, api_token):
    return Client().get("/api/field/bootstrap", **api_token(user))


def test_bootstrap_needs_a_token(demo):
    response = Client().get("/api/field/bootstrap")
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]


@pytest.mark.parametrize("who", ["cg1", "inst", "dh1"])
def test_bootstrap_holds_the_callers_own_units_only(demo, api_token, who):
    inside = make_unit(demo.users["inst"], demo.townships[0], name="城关红星酒店", credit_code=credit_code(1))
    beside = make_unit(demo.users["inst"], demo.townships[1], name="河东饭庄", credit_code=credit_code(2))
    response = bootstrap(demo.users[who], api_token)
    assert response.status_code == 200
    body = response.json()
    unit_ids = {u["id"] for u in body["units"]}
    expected = set(map(str, Unit.objects.visible_to(demo.users[who]).existing().values_list("pk", flat=True)))
    assert unit_ids == expected
    assert (str(inside.pk) in unit_ids) == (who in ("cg1", "inst"))
    assert (str(beside.pk) in unit_ids) == (who in ("dh1", "inst"))
    area_names = {a["name"] for a in body["areas"]}
    if who == "cg1":
        assert "城关镇" in area_names and demo.townships[1].name not in area_names
        assert body["user"]["area_id"] == str(demo.townships[0].pk)
    assert body["report_categories"] and all(c["name"] for c in body["report_categories"])
    assert {f["value"] for f in body["outreach_forms"]} == {
        "lecture",
        "consultation",
        "leaflets",
        "school",
        "guidance",
    }
    assert body["outreach_forms"][2]["label"] == "发放宣传资料"
    assert all(row["unit_name"] for row in body["due"])


def test_an_unchanged_bootstrap_is_a_304_without_body(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    first = Client().get("/api/field/bootstrap", **headers)
    etag = first["ETag"]
    again = Client().get("/api/field/bootstrap", HTTP_IF_NONE_MATCH=etag, **headers)
    assert again.status_code == 304 and again.content == b""
    make_unit(demo.users["inst"], demo.townships[0], name="城关新开饭店", credit_code=credit_code(300))
    changed = Client().get("/api/field/bootstrap", HTTP_IF_NONE_MATCH=etag, **headers)
    assert changed.status_code == 200
    assert "城关新开饭店" in {u["name"] for u in changed.json()["units"]}
    assert changed["ETag"] != etag


def test_bootstrap_of_a_village_officer_is_their_village(demo, api_token):
    body = bootstrap(demo.users["cun1"], api_token).json()
    assert [a["name"] for a in body["areas"]] == ["李家村"]


def test_bootstrap_lists_the_stations_the_user_may_visit(demo, api_token):
    """督导 on /m/: the institute visits the township stations, a township's
    co-managers its own villages' stations, a village officer none."""
    own = [v.name for v in sorted(demo.villages, key=lambda v: v.path) if v.parent_id == demo.townships[0].pk]
    body = bootstrap(demo.users["cg1"], api_token).json()
    assert body["can_record_visit"] is True
    assert [s["name"] for s in body["visit_stations"]] == own and own
    assert {s["level"] for s in body["visit_stations"]} == {5}
    inst = bootstrap(demo.users["inst"], api_token).json()
    assert inst["can_record_visit"] is True
    assert [s["name"] for s in inst["visit_stations"]] == [t.name for t in sorted(demo.townships, key=lambda t: t.path)]
    cun1 = bootstrap(demo.users["cun1"], api_token).json()
    assert (cun1["can_record_visit"], cun1["visit_stations"]) == (False, [])


def test_the_field_page_offers_a_station_visit_to_those_who_record_them(demo, client):
    client.force_login(demo.users["cg1"])
    page = client.get("/m/").content.decode()
    assert 'data-new="visit"' in page and 'data-kind="visit"' in page and "新建督导记录" in page
    client.force_login(demo.users["cun1"])
    assert 'data-new="visit"' not in client.get("/m/").content.decode()


def test_bootstrap_costs_the_same_queries_whatever_the_units(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    serial = iter(range(100, 200))

    def grow():
        for n in range(4):
            make_unit(demo.users["inst"], demo.townships[0], name=f"新增饭店{n}", credit_code=credit_code(next(serial)))

    def fetch():
        assert Client().get("/api/field/bootstrap", **headers).status_code == 200

    # 13: what is due this month reads the county's period start days (its windows follow them)
    # 14: the special campaigns' targets still to visit are read once more
    # 35: the one due list (reminders.due), every registered source once
    # 39: the stations the user may visit (督导)
    # 35 in all since the patrols still due are read without the townships'
    # counts: two queries fewer in each of the two places that ask
    assert_constant_queries(
        fetch, grow, exactly=35
    )  # the campaigns' checklists and the risk order are a few more, constant


# ---------------------------------------------------------------- retries and conflicts


def post(url, data, headers, **extra):
    return Client().post(url, json.dumps(data), content_type="application/json", **headers, **extra)


def report_payload(**extra):
    data = {
        "id": str(uuid.uuid4()),
        "category": "drinking_water",
        "found_at": (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat(),
        "place": "李家村东头水井",
        "content": "井水浑浊有异味",
        "affected_count": 3,
    }
    data.update(extra)
    return data


def volatile_free(body):
    return {k: v for k, v in body.items() if k not in ("seconds_left", "is_late")}


def test_a_retried_report_gets_the_original_answer(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    data = report_payload()
    first = post("/api/reports", data, headers, HTTP_IF_NONE_MATCH="*")
    again = post("/api/reports", data, headers, HTTP_IF_NONE_MATCH="*")
    assert (first.status_code, again.status_code) == (201, 200)
    assert volatile_free(first.json()) == volatile_free(again.json())
    assert Report.objects.count() == 1


def test_a_retry_that_differs_from_the_report_held_is_a_409_and_changes_nothing(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    data = report_payload()
    assert post("/api/reports", data, headers, HTTP_IF_NONE_MATCH="*").status_code == 201
    changed = dict(data, content="井水浑浊，已有 5 人腹泻")
    response = post("/api/reports", changed, headers, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 409
    assert "两个版本" in response.json()["detail"]
    assert list(response.json()["fields"]) == ["content"]
    assert Report.objects.get().content == "井水浑浊有异味"
    # Without the header the old contract holds: the record held, 200.
    assert post("/api/reports", changed, headers).status_code == 200


def test_a_publicity_record_changed_on_the_server_gives_409_on_retry(demo, api_token, comanager_in):
    headers = api_token(comanager_in)
    data = {
        "id": str(uuid.uuid4()),
        "area_id": str(demo.townships[0].pk),
        "date": datetime.date.today().isoformat(),
        "place": "集贸市场",
        "form": "leaflets",
        "theme": "饮用水卫生",
        "audience_count": 80,
    }
    assert post("/api/outreach", data, headers, HTTP_IF_NONE_MATCH="*").status_code == 201
    assert post("/api/outreach", data, headers, HTTP_IF_NONE_MATCH="*").status_code == 200
    patched = Client().patch(
        f"/api/outreach/{data['id']}", json.dumps({"audience_count": 95}), content_type="application/json", **headers
    )
    assert patched.status_code == 200
    response = post("/api/outreach", data, headers, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 409
    assert list(response.json()["fields"]) == ["audience_count"]
    assert Outreach.objects.get().audience_count == 95
