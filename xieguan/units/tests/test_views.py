import datetime

import pytest
from django.urls import reverse

from xieguan.core.models import AuditEvent
from xieguan.core.testing import assert_constant_queries
from xieguan.units import services
from xieguan.units.models import Category, Unit
from xieguan.units.tests.factories import credit_code, make_unit


@pytest.fixture
def unit(demo, comanager_in):
    """A unit in 李家村, a village of the first township."""
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


READ_PAGES = ["units:detail"]
WRITE_PAGES = ["units:edit", "units:licence_add", "units:certificate_add"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_reading_a_unit_inside_and_above(login, unit, name, inside_or_above):
    """Beside (404) and read-only above (200): the route sweep."""
    response = login(inside_or_above).get(reverse(name, args=[unit.pk]))
    assert response.status_code == 200 and "红星酒店" in response.content.decode()


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_changing_a_unit_inside_and_above(login, unit, name, inside_or_above):
    assert login(inside_or_above).get(reverse(name, args=[unit.pk])).status_code == 200


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_a_village_officer_may_not_change_a_unit(demo, login, unit, name):
    assert login(demo.users["cun1"]).get(reverse(name, args=[unit.pk])).status_code == 403


def _post_data(unit, **overrides):
    data = {
        "name": unit.name,
        "credit_code": unit.credit_code or "",
        "area": str(unit.area_id),
        "subtype": str(unit.subtype_id),
        "address": unit.address,
        "legal_representative": unit.legal_representative,
        "phone": unit.phone,
        "status": unit.status,
        "extra.seats": "80",
        "extra.food_licence_no": "JY1",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["dh1", "city", "cun1"])
def test_denied_edit_changes_nothing(demo, login, unit, who):
    login(demo.users[who]).post(reverse("units:edit", args=[unit.pk]), _post_data(unit, name="被改名"))
    unit.refresh_from_db()
    assert unit.name == "红星酒店"
    assert not AuditEvent.objects.for_object(unit).filter(action="unit.update").exists()


def test_edit_saves_and_the_file_shows_before_and_after(demo, login, unit, comanager_in):
    client = login(comanager_in)
    response = client.post(reverse("units:edit", args=[unit.pk]), _post_data(unit, name="红星大酒店"))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "红星大酒店"
    page = client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert "<del>红星酒店</del>" in page and "<ins>红星大酒店</ins>" in page and comanager_in.full_name in page


def test_bad_credit_code_shows_chinese_message_and_keeps_what_was_typed(demo, login, comanager_in):
    food = Category.objects.get(code="food")
    response = login(comanager_in).post(
        reverse("units:create") + "?category=food",
        {
            "name": "新开饭店",
            "credit_code": "91350100M000100Y44",
            "area": str(demo.villages[1].pk),
            "subtype": str(food.subtypes.first().pk),
            "address": "李家村 3 组",
            "status": "open",
            "extra.seats": "40",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "校验码应为 3" in page
    assert 'value="新开饭店"' in page and 'value="李家村 3 组"' in page and 'value="40"' in page
    assert not Unit.objects.filter(name="新开饭店").exists()


def test_create_page_registers_a_unit_with_category_fields(demo, login, comanager_in):
    food = Category.objects.get(code="food")
    client = login(comanager_in)
    assert "食品安全" in client.get(reverse("units:create")).content.decode()
    response = client.post(
        reverse("units:create") + "?category=food",
        {
            "name": "新开饭店",
            "credit_code": credit_code(5),
            "area": str(demo.villages[1].pk),
            "subtype": str(food.subtypes.first().pk),
            "status": "open",
            "extra.seats": "40",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(name="新开饭店")
    assert unit.extra == {"seats": 40} and not unit.is_complete
    page = client.get(reverse("units:detail", args=[unit.pk])).content.decode()
    assert "建档不完整" in page and "建档尚缺" in page and "食品经营许可证号" in page


def test_comanager_cannot_pick_a_village_of_the_neighbour(demo, login, comanager_in):
    food = Category.objects.get(code="food")
    response = login(comanager_in).post(
        reverse("units:create") + "?category=food",
        {"name": "越界", "area": str(demo.villages[3].pk), "subtype": str(food.subtypes.first().pk), "status": "open"},
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(name="越界").exists()


def test_licence_page_adds_a_licence(demo, login, unit, comanager_in):
    response = login(comanager_in).post(
        reverse("units:licence_add", args=[unit.pk]),
        {"kind": "卫生许可证", "number": "示卫001", "issued_on": "2024-01-01", "expires_on": "2028-01-01"},
    )
    assert response.status_code == 302
    assert unit.licences.get().number == "示卫001"


def test_list_shows_only_the_users_area(demo, login, comanager_in, outsider):
    make_unit(comanager_in, demo.villages[1], name="城关饭店")
    make_unit(outsider, demo.villages[3], name="河东饭店")
    assert "城关饭店" not in login(outsider).get(reverse("units:list")).content.decode()
    page = login(comanager_in).get(reverse("units:list")).content.decode()
    assert "城关饭店" in page and "河东饭店" not in page


def test_search_by_pinyin_initials_finds_the_unit(demo, login, comanager_in, unit):
    make_unit(comanager_in, demo.villages[1], name="李家村卫生室")
    page = login(comanager_in).get(reverse("units:list"), {"q": "hxjd"}).content.decode()
    assert "红星酒店" in page and "李家村卫生室" not in page


@pytest.mark.parametrize("q", ["cgfskcd", "fskcd", "kcd", "FSKCD"])
def test_pinyin_initials_find_a_name_from_any_of_its_words(demo, login, comanager_in, outsider, q):
    """Issue 20 finding 8: ``fskcd`` found nothing, only ``cgfskcd`` found
    城关丰收快餐店. A unit of the same name in another township stays out."""
    make_unit(comanager_in, demo.villages[1], name="城关丰收快餐店")
    make_unit(comanager_in, demo.villages[1], name="李家村卫生室")
    make_unit(outsider, demo.villages[3], name="河东丰收快餐店")
    page = login(comanager_in).get(reverse("units:list"), {"q": q}).content.decode()
    assert "城关丰收快餐店" in page and "李家村卫生室" not in page and "河东丰收快餐店" not in page


def test_one_pinyin_letter_matches_from_the_start_only(demo, login, comanager_in):
    make_unit(comanager_in, demo.villages[1], name="城关丰收快餐店")
    make_unit(comanager_in, demo.villages[1], name="丰收饭店")
    page = login(comanager_in).get(reverse("units:list"), {"q": "f"}).content.decode()
    assert "丰收饭店" in page and "城关丰收快餐店" not in page


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"incomplete": "on"}, "没电话", "红星酒店"),
        ({"status": "suspended"}, "停业店", "红星酒店"),
        ({"key_unit": "yes"}, "重点店", "红星酒店"),
        ({"expiring": "on"}, "红星酒店", "没电话"),
        ({"q": "JY"}, "—", "—"),
    ],
)
def test_list_filters(demo, login, comanager_in, unit, params, shown, hidden):
    make_unit(comanager_in, demo.villages[1], name="没电话", phone="")
    make_unit(comanager_in, demo.villages[1], name="停业店", status="suspended")
    make_unit(comanager_in, demo.villages[1], name="重点店", is_key_unit=True)
    services.licence_add(
        actor=comanager_in,
        unit=unit,
        kind="卫生许可证",
        number="1",
        expires_on=datetime.date.today() + datetime.timedelta(days=10),
    )
    page = login(comanager_in).get(reverse("units:list"), params).content.decode()
    if shown != "—":
        assert shown in page and hidden not in page


def test_list_pages_by_keyset_with_a_more_link(demo, login, comanager_in):
    for i in range(55):
        make_unit(comanager_in, demo.villages[1], name=f"饭店{i:02d}")
    client = login(comanager_in)
    page = client.get(reverse("units:list")).content.decode()
    assert "饭店49" in page and "饭店50" not in page and "after=" in page
    cursor = page.split("after=")[1].split('"')[0]
    second = client.get(reverse("units:list") + "?after=" + cursor).content.decode()
    assert "饭店50" in second and "饭店49" not in second


def test_list_query_count_does_not_grow(demo, login, county_admin, comanager_in):
    client = login(county_admin)
    url = reverse("units:list")
    assert_constant_queries(
        lambda: client.get(url, {"status": "open"}),
        lambda: [make_unit(comanager_in, demo.villages[1], name=f"店{i}") for i in range(5)],
        # A county's scope is its units' county column: no query for its areas first.
        exactly=13,
    )


def test_unit_file_query_count_does_not_grow_with_licences(demo, login, county_admin, unit, comanager_in):
    client = login(county_admin)
    url = reverse("units:detail", args=[unit.pk])
    client.get(url)  # the process's content-type cache warmed, as a server's is
    assert_constant_queries(
        lambda: client.get(url),
        lambda: [
            services.licence_add(actor=comanager_in, unit=unit, kind="卫生许可证", number=str(i)) for i in range(4)
        ],
        # The base data's history is the audit log (4 queries); each app that
        # adds a section of the file (issue 25) costs a query per kind of
        # record, once: inspections, opinions, re-inspections, handovers,
        # reports, complaints, guidance, documents. Their prefetches (answers,
        # inspectors, photos) run only once there are records: test_unit_file.
        # Possible duplicates: the township's units, and others with the
        # unit's credit code (one query each). The county's fields, the
        # licences and the certificates are read once for the base data, the
        # missing fields and the history (30 before).
        exactly=26,
    )


def test_filing_rate_page(demo, login, county_admin, unit):
    page = login(county_admin).get(reverse("units:filing_rate")).content.decode()
    assert "城关镇" in page and "100%" in page


def test_system_admin_sees_categories_and_units_in_the_admin(demo, login, unit):
    client = login(demo.users["admin"])
    food = Category.objects.get(code="food")
    assert client.get(reverse("admin:units_category_change", args=[food.pk])).status_code == 200
    assert client.get(reverse("admin:units_unit_changelist")).status_code == 200
    assert login(demo.users["bureau"]).get(reverse("admin:units_unit_changelist")).status_code == 302


@pytest.mark.parametrize("query", ["?category=nope", "?area=not-an-id", "?after=garbage", "?status=x&risk_grade=y"])
def test_bad_filter_values_still_show_a_list(demo, login, comanager_in, unit, query):
    response = login(comanager_in).get(reverse("units:list") + query)
    assert response.status_code == 200 and "红星酒店" in response.content.decode()


def test_neighbours_village_as_filter_shows_nothing_of_theirs(demo, login, comanager_in, outsider, unit):
    make_unit(outsider, demo.villages[3], name="河东饭店")
    page = login(comanager_in).get(reverse("units:list"), {"area": str(demo.villages[3].pk)}).content.decode()
    assert "河东饭店" not in page
