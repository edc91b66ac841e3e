"""Issue 17 finding 5: a credit code already used in another township is
refused without naming the unit, its id or its township — on the form, the
API (create and change) and the Excel import. Inside the caller's area the
message still names the unit, so they can find it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from xieguan.core.models import AuditEvent
from xieguan.units import batches, services
from xieguan.units.models import Category, ImportBatch, ImportStatus, Unit
from xieguan.units.tests.factories import credit_code, make_unit
from xieguan.units.tests.test_imports import HEADERS, food_row, sheet_bytes, upload

THEIRS = "河东万家工地食堂"
ELSEWHERE = "已在本县其他地方登记"


@pytest.fixture
def theirs(demo, outsider):
    """A unit of 河东镇 (dh1's township), which cg1 may not see."""
    return make_unit(outsider, demo.villages[3], name=THEIRS, credit_code=credit_code(901), address="河东镇万家村")


@pytest.fixture
def mine(demo, comanager_in):
    return make_unit(comanager_in, demo.villages[1], name="城关新店", credit_code=credit_code(902))


def _leaks(text: str, unit: Unit) -> list[str]:
    return [w for w in (unit.name, str(unit.pk), unit.area.name, unit.area.parent.name, unit.address) if w in text]


def _form(demo, **over):
    food = Category.objects.get(code="food")
    data = {
        "name": "城关万家食堂",
        "credit_code": credit_code(901),
        "area": str(demo.villages[1].pk),
        "subtype": str(food.subtypes.first().pk),
        "address": "李家村 3 组",
        "status": "open",
        "extra.seats": "40",
    }
    data.update(over)
    return data


def test_form_refuses_another_townships_code_without_naming_it(demo, login, comanager_in, theirs):
    response = login(comanager_in).post(reverse("units:create") + "?category=food", _form(demo))
    page = response.content.decode()
    assert response.status_code == 200 and ELSEWHERE in page and "转入" in page and "合并" in page
    assert _leaks(page, theirs) == []
    assert not Unit.objects.filter(name="城关万家食堂").exists()


def test_form_edit_refuses_another_townships_code_without_naming_it(demo, login, comanager_in, theirs, mine):
    data = _form(demo, name=mine.name)
    response = login(comanager_in).post(reverse("units:edit", args=[mine.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and ELSEWHERE in page
    assert _leaks(page, theirs) == []
    mine.refresh_from_db()
    assert mine.credit_code == credit_code(902)


def test_api_create_and_change_refuse_another_townships_code_without_naming_it(
    demo, api_token, comanager_in, theirs, mine
):
    headers = api_token(comanager_in)
    payload = {"name": "城关万家食堂", "credit_code": theirs.credit_code, "area_id": str(demo.villages[1].pk)}
    created = Client().post("/api/units", {**payload, "category": "food"}, content_type="application/json", **headers)
    changed = Client().patch(
        f"/api/units/{mine.pk}", {"credit_code": theirs.credit_code}, content_type="application/json", **headers
    )
    for response in (created, changed):
        assert response.status_code == 422
        body = response.content.decode()
        assert ELSEWHERE in response.json()["fields"]["credit_code"][0]
        assert _leaks(body, theirs) == []
    assert not Unit.objects.filter(name="城关万家食堂").exists()
    mine.refresh_from_db()
    assert mine.credit_code == credit_code(902)


def test_import_refuses_another_townships_code_without_naming_it(demo, login, comanager_in, theirs):
    food = Category.objects.get(code="food")
    content = sheet_bytes([HEADERS, food_row("城关万家食堂", code=theirs.credit_code)])
    batch = batches.import_batch_create(actor=comanager_in, category=food, upload=upload(content))
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == ImportStatus.FAILED
    reasons = " ".join(e["reason"] for e in batch.errors)
    assert ELSEWHERE in reasons and _leaks(reasons, theirs) == []
    page = login(comanager_in).get(reverse("units:import_detail", args=[batch.pk])).content.decode()
    assert ELSEWHERE in page and _leaks(page, theirs) == []
    assert not Unit.objects.filter(name="城关万家食堂").exists()


def test_a_code_taken_inside_the_callers_area_still_names_the_unit(demo, api_token, comanager_in, mine):
    payload = {"name": "城关又一家", "credit_code": mine.credit_code, "area_id": str(demo.villages[0].pk)}
    response = Client().post(
        "/api/units", {**payload, "category": "food"}, content_type="application/json", **api_token(comanager_in)
    )
    assert response.status_code == 422 and "城关新店" in response.json()["fields"]["credit_code"][0]


def test_the_county_hears_the_name_of_any_townships_unit(demo, county_admin, theirs):
    with pytest.raises(ValidationError) as caught:
        make_unit(county_admin, demo.villages[1], name="城关万家食堂", credit_code=theirs.credit_code)
    assert THEIRS in caught.value.message_dict["credit_code"][0]


def test_a_race_past_the_check_does_not_name_the_other_townships_unit(demo, comanager_in, theirs, monkeypatch):
    """The database's refusal (two registering at once) gets the same
    scope-aware message as the check."""
    real = services._credit_code_clash
    calls = []

    def blind_then_real(actor, code, area, unit):
        calls.append(code)
        return {} if len(calls) == 1 else real(actor, code, area, unit)

    monkeypatch.setattr(services, "_credit_code_clash", blind_then_real)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_unit(comanager_in, demo.villages[0], name="城关万家食堂", credit_code=theirs.credit_code)
    message = caught.value.message_dict["credit_code"][0]
    assert len(calls) == 2 and ELSEWHERE in message and THEIRS not in message
    assert AuditEvent.objects.count() == before
