import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from xieguan.core.models import AuditEvent
from xieguan.units import services
from xieguan.units.models import Category, CategoryField, Unit
from xieguan.units.selectors import filing_rate_by_township, is_complete, missing_fields
from xieguan.units.tests.factories import FOOD_EXTRA, credit_code, make_unit


def test_six_categories_with_subtypes_and_fields_are_seeded(db):
    assert list(Category.objects.values_list("code", flat=True)) == [
        "public_place",
        "drinking_water",
        "school",
        "medical",
        "food",
        "occupational",
    ]
    assert Category.objects.get(code="public_place").subtypes.filter(name="住宿").exists()
    assert CategoryField.objects.get(category__code="drinking_water", key="water_source").required


def test_comanager_registers_a_complete_unit_with_initials_and_audit(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], credit_code=credit_code(1))
    assert unit.name_initials == "hxjd"
    assert unit.is_complete and is_complete(unit)
    event = AuditEvent.objects.for_object(unit).get()
    assert event.action == "unit.create" and event.changes["name"] == [None, "红星酒店"]
    assert event.changes["extra.seats"] == [None, 80]


def test_create_is_idempotent_on_id(demo, comanager_in):
    unit_id = uuid.uuid4()
    first = make_unit(comanager_in, demo.villages[1], id=unit_id)
    again = make_unit(comanager_in, demo.villages[1], id=unit_id, name="别的名字")
    assert again.pk == first.pk and Unit.objects.count() == 1


def test_invalid_credit_code_is_refused_in_chinese(demo, comanager_in):
    with pytest.raises(ValidationError) as info:
        make_unit(comanager_in, demo.villages[1], credit_code="91350100M000100Y44")
    assert "校验" in info.value.message_dict["credit_code"][0]
    assert not Unit.objects.exists()


def test_credit_code_is_unique_within_the_county(demo, comanager_in, outsider):
    make_unit(comanager_in, demo.villages[1], credit_code=credit_code(7))
    with pytest.raises(ValidationError) as info:
        make_unit(outsider, demo.villages[3], name="另一家", credit_code=credit_code(7))
    # The other township's unit is not named to dh1 (issue 17 finding 5).
    message = info.value.message_dict["credit_code"][0]
    assert "已在本县其他地方登记" in message and "红星酒店" not in message
    assert Unit.objects.count() == 1


def test_units_without_credit_code_may_be_many(demo, comanager_in):
    make_unit(comanager_in, demo.villages[1], credit_code="")
    make_unit(comanager_in, demo.villages[1], name="李家村卫生室", credit_code=None)
    assert Unit.objects.filter(credit_code__isnull=True).count() == 2


def test_a_unit_belongs_to_a_village_or_township(demo, county_admin):
    with pytest.raises(ValidationError) as info:
        make_unit(county_admin, demo.county)
    assert "area" in info.value.message_dict


def test_comanager_cannot_register_in_the_neighbouring_township(demo, comanager_in):
    with pytest.raises(Http404):
        make_unit(comanager_in, demo.villages[3])
    assert not Unit.objects.exists()


def test_information_officer_may_not_register(demo):
    with pytest.raises(PermissionDenied):
        make_unit(demo.users["cun1"], demo.villages[1])


def test_category_field_values_are_checked_and_named(demo, comanager_in):
    with pytest.raises(ValidationError) as info:
        make_unit(comanager_in, demo.villages[1], extra={"seats": "很多", "food_licence_no": "x"})
    assert "餐位数" in info.value.message_dict["extra.seats"][0]


def test_missing_required_fields_make_an_incomplete_file(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], phone="", extra={"seats": 10})
    assert not unit.is_complete
    assert [key for key, _label in missing_fields(unit)] == ["phone", "extra.food_licence_no"]


def test_update_records_before_and_after_and_recomputes_completeness(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1], phone="")
    services.unit_update(
        actor=comanager_in, unit=unit, name="红星大酒店", phone="0999-6000000", extra={**FOOD_EXTRA, "seats": 120}
    )
    unit.refresh_from_db()
    assert unit.is_complete and unit.name_initials == "hxdjd"
    event = AuditEvent.objects.for_object(unit).filter(action="unit.update").get()
    assert event.changes["name"] == ["红星酒店", "红星大酒店"]
    assert event.changes["extra.seats"] == [80, 120]
    assert event.actor == comanager_in


def test_update_outside_the_area_is_404_and_changes_nothing(demo, comanager_in, outsider):
    unit = make_unit(comanager_in, demo.villages[1])
    with pytest.raises(Http404):
        services.unit_update(actor=outsider, unit=unit, name="改掉")
    unit.refresh_from_db()
    assert unit.name == "红星酒店"
    assert not AuditEvent.objects.for_object(unit).filter(action="unit.update").exists()


def test_closing_a_unit_sets_its_closing_date(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1])
    services.unit_update(actor=comanager_in, unit=unit, status="closed")
    assert unit.closed_on is not None


def test_licence_and_certificate_are_added_and_audited(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1])
    licence = services.licence_add(
        actor=comanager_in,
        unit=unit,
        kind="卫生许可证",
        number="示卫公字〔2026〕第001号",
        issued_on=datetime.date(2026, 1, 1),
        expires_on=datetime.date(2030, 1, 1),
    )
    certificate = services.certificate_add(
        actor=comanager_in, unit=unit, person_name="李四", kind="health_certificate", number="JK001"
    )
    assert unit.licences.get() == licence and unit.certificates.get() == certificate
    assert AuditEvent.objects.for_object(licence).exists() and AuditEvent.objects.for_object(certificate).exists()


def test_licence_expiring_before_issue_is_refused(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1])
    with pytest.raises(ValidationError):
        services.licence_add(
            actor=comanager_in,
            unit=unit,
            kind="卫生许可证",
            number="1",
            issued_on=datetime.date(2026, 1, 1),
            expires_on=datetime.date(2025, 1, 1),
        )
    assert not unit.licences.exists()


def test_filing_rate_per_township_counts_complete_over_existing(demo, comanager_in, county_admin, outsider):
    make_unit(comanager_in, demo.villages[1])
    make_unit(comanager_in, demo.villages[2], name="二号", phone="")
    closed = make_unit(comanager_in, demo.townships[0], name="三号")
    services.unit_update(actor=comanager_in, unit=closed, status="closed")
    make_unit(outsider, demo.villages[3], name="河东一号")
    rates = {r.township.name: r for r in filing_rate_by_township(county_admin)}
    assert (rates["城关镇"].units, rates["城关镇"].complete, rates["城关镇"].rate) == (2, 1, 0.5)
    assert (rates["河东镇"].units, rates["河东镇"].complete) == (1, 1)
    assert rates["青山镇"].rate is None
    assert [r.township.name for r in filing_rate_by_township(comanager_in)] == ["城关镇"]


def test_making_a_field_required_refreshes_completeness(demo, comanager_in):
    unit = make_unit(comanager_in, demo.villages[1])
    food = Category.objects.get(code="food")
    CategoryField.objects.create(category=food, key="kitchen_area", label="厨房面积", kind="decimal", required=True)
    assert services.units_refresh_completeness(category=food) == 1
    unit.refresh_from_db()
    assert not unit.is_complete and missing_fields(unit) == [("extra.kitchen_area", "厨房面积")]


# The credit code is unique within the county in the database itself -------


def test_unit_carries_its_county_and_follows_a_move(demo, comanager_in, county_admin):

    unit = make_unit(comanager_in, demo.villages[1])
    assert unit.county_id == demo.county.pk
    services.unit_update(actor=county_admin, unit=unit, area=demo.villages[3])
    unit.refresh_from_db()
    assert unit.county_id == demo.county.pk and unit.area_id == demo.villages[3].pk


def test_database_refuses_a_credit_code_twice_in_a_county(demo, comanager_in):

    first = make_unit(comanager_in, demo.villages[1], credit_code=credit_code(7))
    twin = Unit(name="双胞胎", area=demo.villages[0], category=first.category, credit_code=credit_code(7))
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # Units without a code do not collide.
    for name in ("村卫生室甲", "村卫生室乙"):
        Unit(name=name, area=demo.villages[0], category=first.category, credit_code=None).save()


def test_a_race_past_the_check_gets_the_same_chinese_message(demo, comanager_in, monkeypatch):
    """Two people register the same unit at once: both pass the check, the
    database refuses the second, and it gets the message the check gives."""

    make_unit(comanager_in, demo.villages[1], credit_code=credit_code(8), name="先到的店")
    real = services._credit_code_clash
    calls = []

    def blind_then_real(actor, code, area, unit):
        calls.append(code)
        return {} if len(calls) == 1 else real(actor, code, area, unit)

    monkeypatch.setattr(services, "_credit_code_clash", blind_then_real)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_unit(comanager_in, demo.villages[0], credit_code=credit_code(8), name="后到的店")
    assert len(calls) == 2
    assert "本县的“先到的店”已使用统一社会信用代码" in caught.value.message_dict["credit_code"][0]
    assert not Unit.objects.filter(name="后到的店").exists()
    assert AuditEvent.objects.count() == audit_before


def test_a_race_on_update_gets_the_same_message_and_changes_nothing(demo, comanager_in, monkeypatch):

    make_unit(comanager_in, demo.villages[1], credit_code=credit_code(8), name="先到的店")
    other = make_unit(comanager_in, demo.villages[0], credit_code=credit_code(9), name="另一家")
    real = services._credit_code_clash
    calls = []

    def blind_then_real(actor, code, area, unit):
        calls.append(code)
        return {} if len(calls) == 1 else real(actor, code, area, unit)

    monkeypatch.setattr(services, "_credit_code_clash", blind_then_real)
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=comanager_in, unit=other, credit_code=credit_code(8))
    assert "先到的店" in caught.value.message_dict["credit_code"][0]
    assert Unit.objects.get(pk=other.pk).credit_code == credit_code(9)
