"""Picking a person or an institution by searching (issue 19 item 4): the
picker routes are scoped (inside, above, beside), cost a fixed number of
queries, and the forms that use them refuse an id from outside the user's
area with a Chinese message, changing nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from xieguan.accounts.models import Institution, InstitutionType, RoleCode, User
from xieguan.core import pickers
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.models import MonthlyPlan
from xieguan.outreach.models import Attendance
from xieguan.outreach.tests.factories import make_training
from xieguan.units.tests.factories import make_unit


def pick(client, route, text, **extra):
    return client.get(reverse(route), {"name": "f", "f__q": text, **extra})


@pytest.mark.parametrize(("who", "found"), [("cg1", True), ("bureau", True), ("city", True), ("dh1", False)])
def test_the_person_search_finds_people_of_the_users_area_only(demo, login, who, found):
    cg2 = demo.users["cg2"]
    body = pick(login(demo.users[who]), "accounts:pick_person", cg2.full_name[1:]).content.decode()
    assert (f'value="{cg2.pk}"' in body) is found
    if not found:
        assert "您辖区内没有符合的记录" in body


@pytest.mark.parametrize(("who", "found"), [("cg1", True), ("bureau", True), ("dh1", False)])
def test_the_institution_search_finds_institutions_of_the_users_area_only(demo, login, who, found):
    station = demo.users["cg1"].institution
    body = pick(login(demo.users[who]), "accounts:pick_institution", "城关").content.decode()
    assert (f'value="{station.pk}"' in body) is found


def test_a_role_or_an_area_narrows_the_person_search(demo, login):
    client = login(demo.users["bureau"])
    inst, cg1 = demo.users["inst"], demo.users["cg1"]
    for text in (inst.full_name[:1], cg1.full_name[:1]):
        body = pick(client, "accounts:pick_person", text, roles=RoleCode.SUPERVISOR).content.decode()
        assert f'value="{cg1.pk}"' not in body
    body = pick(client, "accounts:pick_person", "cg", within=demo.townships[1].pk).content.decode()
    assert f'value="{cg1.pk}"' not in body
    body = pick(client, "accounts:pick_person", "cg", within=demo.townships[0].pk).content.decode()
    assert f'value="{cg1.pk}"' in body
    # An area the user may not see narrows to nothing rather than widening.
    outside = login(demo.users["dh1"])
    body = pick(outside, "accounts:pick_person", "dh", within=demo.townships[0].pk).content.decode()
    assert 'type="radio"' not in body


def test_the_chosen_person_stays_first_and_a_forged_one_is_dropped(demo, login):
    client = login(demo.users["cg1"])
    cg2, dh1 = demo.users["cg2"], demo.users["dh1"]
    body = pick(client, "accounts:pick_person", "zzz", f=str(cg2.pk)).content.decode()
    assert f'value="{cg2.pk}" checked' in body
    forged = pick(client, "accounts:pick_person", "", f=str(dh1.pk)).content.decode()
    assert str(dh1.pk) not in forged


def test_the_person_search_reads_a_fixed_number_of_queries(demo, login):
    station = demo.users["cg1"].institution
    client = login(demo.users["cg1"])

    def more_people() -> None:
        for n in range(8):
            User.objects.create_user(f"xg{n}", password=None, institution=station, full_name=f"协管员{n}号")

    assert_constant_queries(lambda: pick(client, "accounts:pick_person", "协管员"), more_people, exactly=9)
    assert pick(client, "accounts:pick_person", "协管员").content.decode().count('type="radio"') == 8


def test_the_institution_search_reads_a_fixed_number_of_queries(demo, login):
    client = login(demo.users["bureau"])

    def more() -> None:
        for n in range(6):
            Institution.objects.create(name=f"城关第{n}站", type=InstitutionType.STATION, area=demo.townships[0])

    assert_constant_queries(lambda: pick(client, "accounts:pick_institution", "城关"), more, exactly=9)


def test_a_long_list_becomes_a_search_box_aimed_at_the_picker_route(demo, login, monkeypatch):
    monkeypatch.setattr(pickers, "LIST_ALL_UP_TO", 0)
    client = login(demo.users["bureau"])
    page = client.get(reverse("accounts:person_create")).content.decode()
    assert 'type="search"' in page and reverse("accounts:pick_institution") in page
    station = demo.users["cg1"].institution
    page = client.get(reverse("accounts:institution_supervisor", args=[station.pk])).content.decode()
    assert f"{reverse('accounts:pick_person')}?name=responsible_supervisor&amp;roles=supervisor" in page
    assert f"above={station.area.pk}" in page


def test_a_short_list_is_radio_buttons_that_work_without_javascript(demo, login):
    station = demo.users["cg1"].institution
    page = login(demo.users["bureau"]).get(reverse("accounts:institution_supervisor", args=[station.pk]))
    body = page.content.decode()
    assert 'type="search"' not in body and f'value="{demo.users["inst"].pk}"' in body


def test_creating_a_person_in_an_institution_outside_the_area_is_refused(demo, login):
    other = demo.users["dh1"].institution
    response = login(demo.users["cg1"]).post(
        reverse("accounts:person_create"),
        {
            "username": "forged1",
            "password": "Xieguan@2026-x",
            "institution": str(other.pk),
            "full_name": "伪造",
            "roles": [RoleCode.COMANAGER],
        },
    )
    assert not User.objects.filter(username="forged1").exists()
    if response.status_code == 200:
        assert "选择一个有效的选项" in response.content.decode()
    else:
        assert response.status_code == 403


def test_a_supervisor_from_elsewhere_is_refused(demo, login):
    station = demo.users["cg1"].institution
    before = station.responsible_supervisor_id
    response = login(demo.users["bureau"]).post(
        reverse("accounts:institution_supervisor", args=[station.pk]),
        {"responsible_supervisor": str(demo.users["cg2"].pk)},  # no supervisor
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    station.refresh_from_db()
    assert station.responsible_supervisor_id == before


def test_an_attendee_from_another_township_is_refused(demo, login, comanager_in):
    training = make_training(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 6, 10), topic="培训")
    response = login(comanager_in).post(
        reverse("outreach:training_detail", args=[training.pk]), {"person": str(demo.users["dh1"].pk)}
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Attendance.objects.filter(training=training).exists()
    page = login(comanager_in).get(reverse("outreach:training_detail", args=[training.pk])).content.decode()
    assert f'value="{demo.users["cg2"].pk}"' in page  # a township's few people: listed to tap


def test_a_plan_takes_a_unit_of_its_township_only(demo, login, comanager_in, outsider):
    ours = make_unit(comanager_in, demo.villages[1], name="城关王记饭店")
    theirs = make_unit(outsider, demo.villages[3], name="河东饭店")
    client = login(comanager_in)
    url = reverse("inspections:plan")
    client.post(url + f"?township={demo.townships[0].pk}", {"action": "prefill"})
    plan = MonthlyPlan.objects.get(township=demo.townships[0])
    plan.units.clear()
    response = client.post(
        url + f"?township={demo.townships[0].pk}", {"action": "add", "unit": str(theirs.pk)}, follow=True
    )
    assert "请选择本乡镇未关闭的单位" in response.content.decode()
    assert not plan.units.exists()
    client.post(url + f"?township={demo.townships[0].pk}", {"action": "add", "unit": str(ours.pk)})
    assert list(plan.units.all()) == [ours]
    page = client.get(url + f"?township={demo.townships[0].pk}").content.decode()
    assert '<select name="unit"' not in page


@pytest.mark.parametrize("route", ["reports:register", "inspections:register"])
def test_the_registers_pick_their_institution_without_a_drop_down(demo, login, route, monkeypatch):
    client = login(demo.users["bureau"])
    station = demo.users["cg1"].institution
    page = client.get(reverse(route)).content.decode()
    assert '<select name="institution"' not in page and 'id="r-inst"' not in page
    assert f'name="institution" value="{station.pk}"' in page  # a county's few: listed to tap
    monkeypatch.setattr(pickers, "LIST_ALL_UP_TO", 0)
    page = client.get(reverse(route), {"institution": str(station.pk)}).content.decode()
    assert reverse("accounts:pick_institution") in page and f'value="{station.pk}" checked' in page
    # Another county's station, or no id at all: as if it did not exist.
    assert client.get(reverse(route), {"institution": "not-an-id"}).status_code == 404
