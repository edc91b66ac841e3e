"""Issue 20 finding 8: a phone is a Chinese mobile number or a landline with
its area code, checked by one validator (``core.validators.validate_phone``)
wherever a phone is taken; ``1380000`` was accepted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from xieguan.core.validators import clean_phone, validate_phone

MESSAGE = "请填写 11 位手机号，或带区号的固定电话，如 0931-8812345。"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800001111", "13800001111"),
        ("138 0000 1111", "13800001111"),
        ("+86 138 0000 1111", "13800001111"),
        ("１３８００００１１１１", "13800001111"),
        ("0931-8812345", "0931-8812345"),
        ("09318812345", "09318812345"),
        ("010-12345678", "010-12345678"),
        ("(0931) 8812345", "09318812345"),
        ("0931-8812345-102", "0931-8812345-102"),
        ("", ""),
    ],
)
def test_mobile_and_landline_numbers_are_taken_in_their_stored_form(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["1380000", "12800001111", "138000011112", "8812345", "0931-881234", "1380000111a", "电话", "+1 555 0100"]
)
def test_a_number_that_is_neither_is_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as caught:
        validate_phone(typed)
    assert caught.value.messages == [MESSAGE]


def test_unit_api_refuses_a_short_phone_and_makes_nothing(demo, api_token, comanager_in):
    from xieguan.units.models import Unit
    from xieguan.units.tests.test_api import _payload

    before = Unit.objects.count()
    body = _payload(demo, phone="1380000")
    response = Client().post("/api/units", body, content_type="application/json", **api_token(comanager_in))
    assert response.status_code in (400, 422)
    assert MESSAGE in response.json()["detail"]
    assert Unit.objects.count() == before


def test_unit_edit_refuses_a_short_phone_and_keeps_the_old(demo, comanager_in):
    from xieguan.units import services
    from xieguan.units.tests.factories import make_unit

    unit = make_unit(comanager_in, demo.villages[1])
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=comanager_in, unit=unit, phone="1380000")
    assert caught.value.message_dict["phone"] == [MESSAGE]
    unit.refresh_from_db()
    assert unit.phone == "13800001111"


def test_people_and_institutions_take_only_real_phones(demo, county_admin, comanager_in):
    from xieguan.accounts import services

    with pytest.raises(ValidationError) as caught:
        services.user_update(actor=county_admin, person=comanager_in, phone="1380000")
    assert caught.value.message_dict["phone"] == [MESSAGE]
    comanager_in.refresh_from_db()
    assert comanager_in.phone != "1380000"
    station = comanager_in.institution
    with pytest.raises(ValidationError):
        services.institution_update(actor=county_admin, institution=station, phone="1380000")
    station.refresh_from_db()
    assert station.phone != "1380000"
    services.institution_update(actor=county_admin, institution=station, phone="0931 8812345")
    station.refresh_from_db()
    assert station.phone == "09318812345"


def test_a_complaint_with_a_short_phone_is_refused(demo):
    from xieguan.complaints.models import Complaint
    from xieguan.complaints.tests.conftest import file_public

    with pytest.raises(ValidationError) as caught:
        file_public(demo.townships[0], is_anonymous=False, name="张三", phone="1380000")
    assert caught.value.message_dict["phone"] == [MESSAGE]
    assert not Complaint.objects.exists()


def test_an_exposed_person_with_a_short_phone_is_refused(demo):
    from xieguan.reports import services
    from xieguan.reports.models import ExposedPerson

    with pytest.raises(ValidationError) as caught:
        services.exposed_person_register(
            actor=demo.users["cg1"], area=None, name="李四", employer="石料厂", hazard_factors="粉尘", phone="1380000"
        )
    assert caught.value.message_dict["phone"] == [MESSAGE]
    assert not ExposedPerson.objects.exists()
