"""The unit picker (units.widgets.UnitPicker) and its search (units:pick)."""

import pytest
from django.urls import reverse

from xieguan.core import pickers as widgets  # the unit picker is a core SearchPicker
from xieguan.core.testing import assert_constant_queries
from xieguan.inspections.forms import InspectionStartForm
from xieguan.reports.forms import ReportForm
from xieguan.units.models import UnitStatus
from xieguan.units.tests.factories import credit_code, make_unit


@pytest.fixture
def hotel(demo, comanager_in):
    return make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))


def pick(client, text, **extra):
    return client.get(reverse("units:pick"), {"name": "unit", "unit__q": text, **extra})


@pytest.mark.parametrize(("who", "found"), [("cg1", True), ("bureau", True), ("city", True), ("dh1", False)])
def test_search_finds_units_of_the_users_area_only(demo, login, hotel, who, found):
    response = pick(login(demo.users[who]), "hxjd")
    assert response.status_code == 200
    body = response.content.decode()
    assert (f'value="{hotel.pk}"' in body) is found
    if not found:
        assert "没有符合的单位" in body


def test_the_chosen_unit_stays_first_and_a_forged_one_is_dropped(demo, login, hotel, outsider):
    theirs = make_unit(outsider, demo.townships[1], name="河东宾馆", credit_code=credit_code(2, "990102"))
    client = login(demo.users["cg1"])
    body = pick(client, "宾馆", unit=str(hotel.pk)).content.decode()
    assert f'value="{hotel.pk}" checked' in body  # kept though it does not match "宾馆"
    forged = pick(client, "", unit=str(theirs.pk)).content.decode()
    assert str(theirs.pk) not in forged and "河东宾馆" not in forged


def test_closed_units_only_where_the_form_accepts_them(demo, login, hotel, comanager_in):
    hotel.status = UnitStatus.CLOSED
    hotel.save(update_fields=["status"])
    client = login(comanager_in)
    assert str(hotel.pk) not in pick(client, "红星").content.decode()
    assert str(hotel.pk) in pick(client, "红星", closed="1").content.decode()


def test_a_bad_field_name_or_id_is_harmless(demo, login, hotel, comanager_in):
    client = login(comanager_in)
    response = client.get(reverse("units:pick"), {"name": '"><script>', "unit": "not-a-uuid", "unit__q": "红星"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body and 'name="unit"' in body


def test_search_reads_a_fixed_number_of_queries(demo, login, comanager_in):
    client = login(comanager_in)
    assert_constant_queries(
        lambda: pick(client, "红星"),
        lambda: [
            make_unit(comanager_in, demo.villages[1], name=f"红星饭店{n}号", credit_code=credit_code(100 + n))
            for n in range(12)
        ],
        # 11, and the short term's probe of the search index (selectors._rare_term)
        exactly=12,
    )
    assert pick(client, "红星").content.decode().count('type="radio"') == 12


def test_a_small_area_lists_every_unit_a_large_one_asks_for_a_search(demo, comanager_in, hotel, monkeypatch):
    form = ReportForm(user=comanager_in, may_forward=False, initial={"unit": hotel.pk})
    html = str(form["unit"])
    assert f'value="{hotel.pk}" checked' in html and 'type="search"' not in html
    assert "不涉及单位" in html  # optional: "no unit" is a choice

    monkeypatch.setattr(widgets, "LIST_ALL_UP_TO", 0)
    html = str(InspectionStartForm(user=comanager_in, initial={"unit": hotel.pk})["unit"])
    assert 'type="search"' in html and "hx-get" in html
    assert f'value="{hotel.pk}" checked' in html and "李家村" in html  # the chosen unit with its village
    assert "optional=1" not in html  # an inspection needs a unit


def test_the_picked_value_is_still_checked_against_the_users_area(demo, outsider, hotel):
    form = ReportForm(data={"unit": str(hotel.pk)}, user=outsider, may_forward=False)
    form.is_valid()
    assert "unit" in form.errors
