import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xieguan.core.models import AuditEvent
from xieguan.outreach import services
from xieguan.outreach.models import Outreach
from xieguan.outreach.selectors import DONE, DUE, OVERDUE, publicity_due
from xieguan.outreach.tests.factories import make_outreach
from xieguan.units.tests.factories import make_unit

DAY = datetime.date(2026, 5, 10)


def record(actor, area, **extra):
    data = {
        "date": DAY,
        "place": "城关镇卫生院",
        "form": "consultation",
        "theme": "饮用水卫生咨询",
        "audience": "村民",
        "audience_count": 120,
        "materials": "宣传折页",
        "materials_count": 300,
    }
    data.update(extra)
    return services.outreach_create(actor=actor, area=area, **data)


def test_comanager_records_publicity_in_a_village_of_the_township(demo, comanager_in):
    village = demo.villages[1]
    made = record(comanager_in, village)
    assert made.area == village and made.institution == comanager_in.institution
    assert made.recorded_by == comanager_in and made.audience_count == 120
    event = AuditEvent.objects.get(action="outreach.create", object_id=str(made.pk))
    assert event.area_path == village.path and event.changes["theme"] == [None, "饮用水卫生咨询"]


def test_create_is_idempotent_on_the_client_id(demo, comanager_in, township):
    record_id = uuid.uuid4()
    first = record(comanager_in, township, id=record_id)
    again = record(comanager_in, township, id=record_id)
    assert first.pk == again.pk == record_id
    assert Outreach.objects.count() == 1
    assert AuditEvent.objects.filter(object_id=str(record_id)).count() == 1


def test_outsider_gets_404_and_nothing_is_made(demo, outsider, township):
    with pytest.raises(Http404):
        record(outsider, township)
    assert not Outreach.objects.exists()


def test_county_leader_may_not_record_publicity(demo, county_admin, township):
    with pytest.raises(PermissionDenied):
        record(county_admin, township)
    assert not Outreach.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"theme": "  "}, "theme"),
        ({"place": ""}, "place"),
        ({"form": "parade"}, "form"),
        ({"date": datetime.date(2999, 1, 1)}, "date"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(demo, comanager_in, township, change, field):
    with pytest.raises(ValidationError) as caught:
        record(comanager_in, township, **change)
    assert field in caught.value.error_dict
    assert not Outreach.objects.exists()


def test_county_is_not_a_place_for_a_record(demo, supervisor_of):
    with pytest.raises(ValidationError) as caught:
        record(supervisor_of, demo.county)
    assert "area" in caught.value.error_dict


def test_unit_is_kept_only_for_guidance(demo, comanager_in, township):
    unit = make_unit(comanager_in, demo.villages[0])
    assert record(comanager_in, township, form="guidance", unit=unit).unit == unit
    assert record(comanager_in, township, form="lecture", unit=unit).unit is None


def test_guidance_needs_a_unit_of_the_area_in_scope(demo, comanager_in, outsider, township, sibling_township):
    with pytest.raises(ValidationError) as caught:
        record(comanager_in, township, form="guidance")
    assert "unit" in caught.value.error_dict
    theirs = make_unit(outsider, sibling_township)
    with pytest.raises(ValidationError) as caught:
        record(comanager_in, township, form="guidance", unit=theirs)
    assert "您的辖区" in " ".join(caught.value.messages) or "outside" in " ".join(caught.value.messages)
    mine_elsewhere = make_unit(comanager_in, demo.villages[0])
    with pytest.raises(ValidationError):
        record(comanager_in, demo.villages[1], form="guidance", unit=mine_elsewhere)
    assert not Outreach.objects.exists()


def test_publicity_due_matches_a_hand_count(demo, comanager_in, outsider):
    chengguan, hedong = demo.townships[0], demo.townships[1]
    # 城关镇: Q1 twice (one in a village), Q2 once; 河东镇: Q1 only; a 2025 row does not count.
    make_outreach(area=chengguan, by=comanager_in, date=datetime.date(2026, 1, 5))
    make_outreach(area=demo.villages[1], by=comanager_in, date=datetime.date(2026, 3, 31))
    make_outreach(area=chengguan, by=comanager_in, date=datetime.date(2026, 4, 1))
    make_outreach(area=hedong, by=outsider, date=datetime.date(2026, 2, 1))
    make_outreach(area=hedong, by=outsider, date=datetime.date(2025, 12, 31))
    rows = publicity_due(demo.users["bureau"], year=2026, today=datetime.date(2026, 8, 1))
    by_name = {r.township.name: r for r in rows}
    assert len(rows) == len(demo.townships)
    assert by_name["城关镇"].counts == [2, 1, 0, 0] and by_name["城关镇"].states == [DONE, DONE, DUE, DUE]
    assert by_name["河东镇"].counts == [1, 0, 0, 0] and by_name["河东镇"].states == [DONE, OVERDUE, DUE, DUE]
    own = publicity_due(comanager_in, year=2026, today=datetime.date(2026, 8, 1))
    assert [r.township.name for r in own] == ["城关镇"]
