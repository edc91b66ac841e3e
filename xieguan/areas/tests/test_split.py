"""Splitting an area in two (issue 20 item 10, SPEC §2: areas merge and
split over the years): a township divided, the chosen villages moving to a
new township beside it with their units and the open work about them."""

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from xieguan.areas import services
from xieguan.areas.models import Area, Level
from xieguan.complaints.models import Complaint, Status
from xieguan.complaints.services import complaint_register
from xieguan.core.models import AuditEvent
from xieguan.units.models import Unit
from xieguan.units.tests.factories import credit_code, make_unit

NEW_CODE = "990101105000"


@pytest.fixture
def places(demo):
    township = demo.townships[0]  # 城关镇: 城北社区居委会, 李家村, 王庄村
    by_name = {v.name: v for v in township.children.all()}
    return township, by_name["李家村"], by_name["王庄村"]


def complaint(actor, township, *, village=None, unit=None, closed=False):
    _filed, record, _created = complaint_register(
        actor=actor,
        township=township,
        category="drinking_water",
        content="自来水浑浊",
        channel="phone",
        village=village,
        unit=unit,
        name="周先生",
        phone="13800002222",
    )
    if closed:
        Complaint.objects.filter(pk=record.pk).update(status=Status.ARCHIVED, due_on=None)
    return record


def tree(demo):
    """Every area's parent and path, to see that nothing moved."""
    return sorted(Area.objects.values_list("id", "parent_id", "path", "name", "code"))


def split(actor, township, villages, **extra):
    data = {"new_name": "城南镇", "new_code": NEW_CODE}
    data.update(extra)
    return services.area_split(actor=actor, area=township, villages=villages, **data)


# ---------------------------------------------------------------- services


def test_split_moves_the_chosen_villages_with_their_units_and_open_work(demo, county_admin, comanager_in, places):
    township, lijia, wangzhuang = places
    village_unit = make_unit(comanager_in, wangzhuang, name="王庄村供水站", credit_code=credit_code(501))
    town_unit = make_unit(comanager_in, township, name="城关镇人民饭店", credit_code=credit_code(502))
    open_about_village = complaint(comanager_in, township, village=wangzhuang)
    open_about_unit = complaint(comanager_in, township, unit=village_unit)
    closed_about_village = complaint(comanager_in, township, village=wangzhuang, closed=True)
    open_elsewhere = complaint(comanager_in, township, village=lijia)

    result = split(county_admin, township, [wangzhuang])

    new = result.area
    assert (new.name, new.code, new.level, new.parent) == ("城南镇", NEW_CODE, Level.TOWNSHIP, demo.county)
    assert result.created and result.moved_children == [wangzhuang]
    wangzhuang.refresh_from_db()
    assert wangzhuang.parent == new and wangzhuang.path == new.path + wangzhuang.segment()
    assert set(township.children.values_list("name", flat=True)) == {"城北社区居委会", "李家村"}
    # The village's units follow its path; the township's own units stay.
    assert Unit.objects.filter(area__path__startswith=new.path).get() == village_unit
    assert Unit.objects.get(pk=town_unit.pk).area == township
    # Open work about the village moves; closed work and other villages' stay.
    moved = dict(Complaint.objects.values_list("pk", "area"))
    assert moved[open_about_village.pk] == moved[open_about_unit.pk] == new.pk
    assert moved[closed_about_village.pk] == moved[open_elsewhere.pk] == township.pk
    assert result.moved_records == {"投诉举报": 2}


def test_split_is_audited_and_kept_in_the_history(demo, county_admin, places):
    township, _lijia, wangzhuang = places
    new = split(county_admin, township, [wangzhuang]).area
    assert AuditEvent.objects.filter(action="area.create", object_id=str(new.pk)).exists()
    move = AuditEvent.objects.get(action="area.move", object_id=str(wangzhuang.pk))
    assert move.changes["parent"] == ["城关镇", "城南镇"] and "城关镇" in move.note
    event = AuditEvent.objects.get(action="area.split", object_id=str(township.pk))
    assert "王庄村" in event.note and "城南镇" in event.note
    parents = list(wangzhuang.history.order_by("history_date").values_list("parent_id", flat=True))
    assert parents[0] == township.pk and parents[-1] == new.pk


def test_after_the_split_the_old_township_no_longer_sees_the_village(demo, county_admin, comanager_in, places):
    township, _lijia, wangzhuang = places
    unit = make_unit(comanager_in, wangzhuang, name="王庄村供水站")
    record = complaint(comanager_in, township, village=wangzhuang)
    split(county_admin, township, [wangzhuang])
    assert not Area.objects.visible_to(comanager_in).filter(pk=wangzhuang.pk).exists()
    assert not Unit.objects.visible_to(comanager_in).filter(pk=unit.pk).exists()
    assert not Complaint.objects.visible_to(comanager_in).filter(pk=record.pk).exists()
    assert Complaint.objects.visible_to(county_admin).filter(pk=record.pk).exists()


def test_a_retried_split_makes_one_area_and_moves_nothing_again(demo, county_admin, places):
    township, lijia, wangzhuang = places
    record_id = uuid.uuid4()
    first = split(county_admin, township, [wangzhuang], id=record_id)
    again = split(county_admin, township, [wangzhuang, lijia], id=record_id)
    assert first.area.pk == again.area.pk == record_id and not again.created
    assert again.moved_children == [wangzhuang]
    assert Area.objects.filter(name="城南镇").count() == 1
    assert Area.objects.get(pk=lijia.pk).parent == township


@pytest.mark.parametrize(
    ("case", "field", "words"),
    [
        ("village", "villages", "村级区划"),
        ("none", "villages", "请选择"),
        ("stranger", "villages", "河东村"),
        ("all", "villages", "至少保留"),
        ("name", "new_name", "已有名为河东镇"),
        ("code", "new_code", "990101101000"),
    ],
)
def test_a_bad_split_is_refused_in_chinese_and_changes_nothing(demo, county_admin, places, case, field, words):
    township, lijia, wangzhuang = places
    area, villages, extra = township, [wangzhuang], {}
    if case == "village":
        area, villages = lijia, []
    elif case == "none":
        villages = []
    elif case == "stranger":
        villages = [wangzhuang, demo.townships[1].children.get(name="河东村")]
    elif case == "all":
        villages = list(township.children.all())
    elif case == "name":
        extra = {"new_name": "河东镇"}
    elif case == "code":
        extra = {"new_code": "990101101000"}
    before, events = tree(demo), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        split(county_admin, area, villages, **extra)
    assert field in caught.value.error_dict
    assert words in " ".join(caught.value.messages)
    assert tree(demo) == before and AuditEvent.objects.count() == events


@pytest.mark.parametrize(("who", "refusal"), [("cg1", PermissionDenied), ("dh1", Http404), ("city", PermissionDenied)])
def test_only_the_county_splits_its_townships(demo, places, who, refusal):
    township, _lijia, wangzhuang = places
    before = tree(demo)
    with pytest.raises(refusal):
        split(demo.users[who], township, [wangzhuang])
    assert tree(demo) == before


# ---------------------------------------------------------------- page


def test_county_admin_splits_a_township_on_its_page(demo, login, county_admin, places):
    township, lijia, wangzhuang = places
    client = login(county_admin)
    detail = client.get(reverse("areas:detail", args=[township.pk])).content.decode()
    assert reverse("areas:split", args=[township.pk]) in detail
    page = client.get(reverse("areas:split", args=[township.pk])).content.decode()
    assert page.index("城北社区居委会") < page.index("李家村") < page.index("王庄村")
    assert 'type="checkbox"' in page and 'value="%s"' % wangzhuang.pk in page
    response = client.post(
        reverse("areas:split", args=[township.pk]),
        {"new_name": "城南镇", "new_code": NEW_CODE, "villages": [str(wangzhuang.pk), str(lijia.pk)]},
    )
    new = Area.objects.get(name="城南镇")
    assert response.status_code == 302 and response["Location"] == reverse("areas:detail", args=[new.pk])
    assert set(new.children.values_list("name", flat=True)) == {"李家村", "王庄村"}
    assert "城南镇" in client.get(response["Location"]).content.decode()


def test_a_duplicate_name_on_the_page_keeps_what_was_typed(demo, login, county_admin, places):
    township, _lijia, wangzhuang = places
    before = tree(demo)
    response = login(county_admin).post(
        reverse("areas:split", args=[township.pk]),
        {"new_name": "河东镇", "new_code": NEW_CODE, "villages": [str(wangzhuang.pk)]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已有名为河东镇" in page and 'value="河东镇"' in page and f'value="{NEW_CODE}"' in page
    assert tree(demo) == before


@pytest.mark.parametrize(("who", "status"), [("cg1", 403), ("city", 403), ("dh1", 404)])
def test_split_page_refuses_beside_and_below_the_county(demo, login, places, who, status):
    township, _lijia, wangzhuang = places
    client = login(demo.users[who])
    url = reverse("areas:split", args=[township.pk])
    before = tree(demo)
    assert client.get(url).status_code == status
    assert client.post(url, {"new_name": "城南镇", "villages": [str(wangzhuang.pk)]}).status_code == status
    assert tree(demo) == before


# ---------------------------------------------------------------- API


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_api_split_is_idempotent_on_the_client_id(demo, api_token, county_admin, comanager_in, places):
    township, _lijia, wangzhuang = places
    complaint(comanager_in, township, village=wangzhuang)
    body = {"id": str(uuid.uuid4()), "name": "城南镇", "code": NEW_CODE, "village_ids": [str(wangzhuang.pk)]}
    url = f"/api/areas/{township.pk}/split"
    first = post_json(Client(), url, body, **api_token(county_admin))
    again = post_json(Client(), url, body, **api_token(county_admin))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["area"]["id"] == again.json()["area"]["id"] == body["id"]
    assert first.json()["moved_area_ids"] == again.json()["moved_area_ids"] == [str(wangzhuang.pk)]
    assert first.json()["moved_records"] == {"投诉举报": 1} and again.json()["moved_records"] == {}
    assert Area.objects.filter(name="城南镇").count() == 1


@pytest.mark.parametrize("case", ["stranger", "unknown", "village"])
def test_api_bad_split_is_422_in_chinese(demo, api_token, county_admin, places, case):
    township, lijia, wangzhuang = places
    target, ids = township, [str(wangzhuang.pk)]
    if case == "stranger":
        ids.append(str(demo.townships[1].children.get(name="河东村").pk))
    elif case == "unknown":
        ids.append(str(uuid.uuid4()))
    else:
        target, ids = lijia, []
    before = tree(demo)
    response = post_json(
        Client(), f"/api/areas/{target.pk}/split", {"name": "城南镇", "village_ids": ids}, **api_token(county_admin)
    )
    assert response.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    assert tree(demo) == before


@pytest.mark.parametrize(("who", "status"), [("cg1", 403), ("city", 403), ("dh1", 404)])
def test_api_split_refuses_beside_and_below_the_county(demo, api_token, places, who, status):
    township, _lijia, wangzhuang = places
    before = tree(demo)
    body = {"id": str(wangzhuang.pk), "name": "城南镇", "village_ids": [str(wangzhuang.pk)]}
    response = post_json(Client(), f"/api/areas/{township.pk}/split", body, **api_token(demo.users[who]))
    assert response.status_code == status
    assert tree(demo) == before
