"""The area pages' edit, retire and import through the API (issue 19 item 2)."""

import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xieguan.areas.models import Area
from xieguan.core.models import AuditEvent

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def send(method, url, headers, data=None):
    return Client().generic(method, url, data=json.dumps(data or {}), content_type="application/json", **headers)


def chinese_error(response, status=422):
    assert response.status_code == status, response.content
    assert CHINESE.search(response.json()["detail"]), response.json()
    return response.json()


def test_area_rename_by_the_county(demo, api_token):
    village = demo.villages[0]
    response = send("PATCH", f"/api/areas/{village.pk}", api_token(demo.users["bureau"]), {"name": "新李家村"})
    assert response.status_code == 200 and response.json()["name"] == "新李家村"
    village.refresh_from_db()
    assert village.name == "新李家村"
    assert AuditEvent.objects.filter(action="area.update", object_id=str(village.pk)).count() == 1


def test_area_rename_refused_beside_by_role_and_on_bad_input(demo, api_token):
    town = demo.townships[0]
    response = send("PATCH", f"/api/areas/{town.pk}", api_token(demo.users["dh1"]), {"name": "越界"})
    assert response.status_code == 404 and town.name not in response.content.decode()
    chinese_error(send("PATCH", f"/api/areas/{town.pk}", api_token(demo.users["cg1"]), {"name": "改名"}), 403)
    bureau = api_token(demo.users["bureau"])
    chinese_error(send("PATCH", f"/api/areas/{town.pk}", bureau, {"name": "改名", "code": "12"}))
    chinese_error(send("PATCH", f"/api/areas/{town.pk}", bureau, {"name": ""}))
    town.refresh_from_db()
    assert town.name == "城关镇"


def test_area_retire_moves_the_villages_to_the_successor(demo, api_token):
    old, successor = demo.townships[1], demo.townships[0]
    children = set(old.children.values_list("pk", flat=True))
    bureau = api_token(demo.users["bureau"])
    response = send("POST", f"/api/areas/{old.pk}/retire", bureau, {"successor_id": str(successor.pk)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["area"]["retired_on"] and body["successor"]["id"] == str(successor.pk)
    assert body["moved_children"] == len(children)
    assert set(Area.objects.filter(parent=successor, pk__in=children).values_list("pk", flat=True)) == children
    chinese_error(send("POST", f"/api/areas/{old.pk}/retire", bureau, {"successor_id": str(successor.pk)}), 409)


def test_area_retire_refused_beside_by_role_and_on_bad_input(demo, api_token):
    town, other = demo.townships[0], demo.townships[1]
    body = {"successor_id": str(other.pk)}
    response = send("POST", f"/api/areas/{town.pk}/retire", api_token(demo.users["dh1"]), body)
    assert response.status_code == 404 and town.name not in response.content.decode()
    chinese_error(send("POST", f"/api/areas/{town.pk}/retire", api_token(demo.users["city"]), body), 403)
    bureau = api_token(demo.users["bureau"])
    chinese_error(send("POST", f"/api/areas/{town.pk}/retire", bureau, {"successor_id": str(demo.villages[0].pk)}))
    chinese_error(send("POST", f"/api/areas/{town.pk}/retire", bureau, {"successor_id": "nope"}))
    town.refresh_from_db()
    assert town.is_active


def import_file(headers, content, name="areas.csv"):
    return Client().post("/api/areas/import", {"file": SimpleUploadedFile(name, content)}, **headers)


def test_area_import_adds_then_changes_nothing_when_sent_again(demo, api_token):
    headers = api_token(demo.users["bureau"])
    code = demo.townships[0].code[:6] + "300000"
    content = f"代码,名称\n{code},新城镇\n".encode()
    first = import_file(headers, content)
    assert first.status_code == 200 and first.json() == {"created": 1, "renamed": 0, "unchanged": 0}
    again = import_file(headers, content)
    assert again.json() == {"created": 0, "renamed": 0, "unchanged": 1}
    assert Area.objects.filter(code=code, name="新城镇", parent=demo.county).count() == 1


def test_area_import_rejects_bad_rows_and_files_in_chinese(demo, api_token):
    headers = api_token(demo.users["bureau"])
    before = Area.objects.count()
    body = chinese_error(import_file(headers, "代码,名称\n990101300,坏行\n".encode()))
    assert body["rows"][0]["row"] == 2 and CHINESE.search(body["rows"][0]["reason"])
    chinese_error(import_file(headers, b"", "empty.csv"))
    chinese_error(import_file(api_token(demo.users["cg1"]), "代码,名称\n".encode()), 403)
    assert Area.objects.count() == before


def test_area_import_without_a_file_answers_the_declared_422(demo, api_token):
    """A request with no file at all is refused by the request's own check:
    its 422 has no rows, and the document must say rows may be absent
    (found by the API fuzzing: the declared 422 required them)."""
    from config.api import api

    before = Area.objects.count()
    body = chinese_error(Client().post("/api/areas/import", **api_token(demo.users["bureau"])))
    declared = api.get_openapi_schema()["components"]["schemas"]["AreaImportRejectedOut"]
    assert set(declared.get("required", [])) <= set(body), (declared, body)
    assert Area.objects.count() == before


def test_retiring_into_an_area_with_the_same_years_population_is_a_conflict_not_a_500(demo, api_token):
    """Found by the fuzzing: both areas held the 2026 population served, and
    moving one onto the other broke its once-a-year rule (a 500). It is a 409
    in Chinese, and nothing is retired."""
    from xieguan.assessments.models import Population

    old, successor = demo.townships[1], demo.townships[0]
    for area in (old, successor):
        Population.objects.create(area=area, year=2026, population=1000)
    bureau = api_token(demo.users["bureau"])
    response = send("POST", f"/api/areas/{old.pk}/retire", bureau, {"successor_id": str(successor.pk)})
    chinese_error(response, 409)
    old.refresh_from_db()
    assert old.retired_on is None and Population.objects.filter(area=old, year=2026).exists()
