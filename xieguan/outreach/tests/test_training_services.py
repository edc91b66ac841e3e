import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from xieguan.core.models import AuditEvent
from xieguan.outreach import services
from xieguan.outreach.models import Attendance, Training
from xieguan.outreach.selectors import attendances_of, comanager_hours
from xieguan.outreach.tests.factories import make_training

DAY = datetime.date(2026, 6, 10)


def create(actor, area, **extra):
    data = {
        "level": "township",
        "topic": "村级信息员业务培训",
        "date": DAY,
        "hours": Decimal("3.5"),
        "trainer": "王秀兰",
    }
    data.update(extra)
    return services.training_create(actor=actor, area=area, **data)


def test_comanager_records_a_township_training(demo, comanager_in, township):
    training = create(comanager_in, township)
    assert training.institution == comanager_in.institution and training.hours == Decimal("3.5")
    assert len(training.sign_in_token) >= 20
    event = AuditEvent.objects.get(action="training.create", object_id=str(training.pk))
    assert "sign_in_token" not in event.changes


def test_supervisor_records_a_county_training(demo, supervisor_of):
    training = create(supervisor_of, demo.county, level="county", topic="协管员岗位培训", hours=Decimal(8))
    assert training.area == demo.county


def test_training_create_is_idempotent(demo, comanager_in, township):
    record_id = uuid.uuid4()
    assert create(comanager_in, township, id=record_id).pk == create(comanager_in, township, id=record_id).pk
    assert Training.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": "county"}, "area"),
        ({"hours": Decimal(0)}, "hours"),
        ({"topic": ""}, "topic"),
        ({"trainer": " "}, "trainer"),
    ],
)
def test_bad_training_is_refused(demo, comanager_in, township, change, field):
    with pytest.raises(ValidationError) as caught:
        create(comanager_in, township, **change)
    assert field in caught.value.error_dict
    assert not Training.objects.exists()


def test_outsider_and_information_officer_cannot_record(demo, outsider, township):
    with pytest.raises(Http404):
        create(outsider, township)
    with pytest.raises(PermissionDenied):
        create(demo.users["cun1"], demo.villages[1], level="township")
    assert not Training.objects.exists()


def test_trainer_registers_a_village_officer_once(demo, comanager_in, township):
    training = make_training(area=township, by=comanager_in, date=DAY)
    cun1 = demo.users["cun1"]
    first, created = services.attendance_register(actor=comanager_in, training=training, person=cun1, score=Decimal(92))
    again, created_again = services.attendance_register(actor=comanager_in, training=training, person=cun1)
    assert (created, created_again) == (True, False) and first.pk == again.pk
    assert first.method == "registered" and first.score == Decimal(92)
    assert Attendance.objects.count() == 1


def test_person_outside_the_training_area_is_refused(demo, comanager_in, outsider, township):
    training = make_training(area=township, by=comanager_in, date=DAY)
    with pytest.raises(ValidationError):
        services.attendance_register(actor=comanager_in, training=training, person=outsider)
    assert not Attendance.objects.exists()


def test_outsider_cannot_register_at_a_neighbours_training(demo, comanager_in, outsider, township):
    training = make_training(area=township, by=comanager_in, date=DAY)
    with pytest.raises(Http404):
        services.attendance_register(actor=outsider, training=training, person=outsider)
    assert not Attendance.objects.exists()


def test_self_sign_in_needs_the_token_and_an_open_day_and_is_idempotent(demo, comanager_in, township):
    training = make_training(area=township, by=comanager_in, date=DAY)
    cun1 = demo.users["cun1"]
    with pytest.raises(Http404):
        services.attendance_sign_in(actor=cun1, training=training, token="wrong", today=DAY)
    with pytest.raises(ValidationError):
        services.attendance_sign_in(
            actor=cun1, training=training, token=training.sign_in_token, today=DAY + datetime.timedelta(days=2)
        )
    first, created = services.attendance_sign_in(
        actor=cun1, training=training, token=training.sign_in_token, today=DAY - datetime.timedelta(days=1)
    )
    again, created_again = services.attendance_sign_in(
        actor=cun1, training=training, token=training.sign_in_token, today=DAY
    )
    assert (created, created_again) == (True, False) and first.pk == again.pk and first.method == "self"
    assert Attendance.objects.count() == 1


def test_outsider_cannot_sign_in_with_a_leaked_token(demo, comanager_in, outsider, township):
    training = make_training(area=township, by=comanager_in, date=DAY)
    with pytest.raises(ValidationError):
        services.attendance_sign_in(actor=outsider, training=training, token=training.sign_in_token, today=DAY)
    assert not Attendance.objects.exists()


def test_hours_match_a_hand_count(demo, comanager_in, supervisor_of, outsider):
    county = demo.county
    cg1, cg2, dh1 = comanager_in, demo.users["cg2"], outsider
    t1 = make_training(area=county, by=supervisor_of, date=datetime.date(2026, 3, 1), hours="8")
    t2 = make_training(area=county, by=supervisor_of, date=datetime.date(2026, 9, 1), hours="12.5")
    old = make_training(area=county, by=supervisor_of, date=datetime.date(2025, 9, 1), hours="16")
    for training, people in [(t1, [cg1, cg2, dh1]), (t2, [cg1]), (old, [cg2])]:
        for person in people:
            services.attendance_register(actor=supervisor_of, training=training, person=person)
    # cg1: 8 + 12.5 = 20.5; cg2: 8 (2025 does not count); dh1: 8.
    hours = {p.username: p.year_hours for p in comanager_hours(demo.users["bureau"], year=2026)}
    assert hours["cg1"] == Decimal("20.5") and hours["cg2"] == Decimal(8) and hours["dh1"] == Decimal(8)
    assert hours["dh2"] == Decimal(0)
    own = {p.username: p.year_hours for p in comanager_hours(cg1, year=2026)}
    assert set(own) == {"cg1", "cg2"}
    assert [a.training for a in attendances_of(cg1, year=2026)] == [t1, t2]


def test_what_is_due_matches_a_hand_count(demo, comanager_in, supervisor_of, outsider):
    from xieguan.outreach.selectors import DONE, DUE, OVERDUE, publicity_due

    chengguan, hedong = demo.townships[0], demo.townships[1]
    # 城关镇 trains its village officers in Q1 and Q3; 河东镇 only in Q2 (2025 does not count).
    make_training(area=chengguan, by=comanager_in, date=datetime.date(2026, 2, 1))
    make_training(area=chengguan, by=comanager_in, date=datetime.date(2026, 8, 1))
    make_training(area=hedong, by=outsider, date=datetime.date(2026, 5, 1))
    make_training(area=hedong, by=outsider, date=datetime.date(2025, 8, 1))
    # A county training counts for hours, not as a township training: cg1 and cg2 reach 20 h, dh1 8 h, dh2 none.
    county = make_training(area=demo.county, by=supervisor_of, date=datetime.date(2026, 3, 1), hours="20")
    small = make_training(area=demo.county, by=supervisor_of, date=datetime.date(2026, 4, 1), hours="8")
    for person in [comanager_in, demo.users["cg2"]]:
        services.attendance_register(actor=supervisor_of, training=county, person=person)
    services.attendance_register(actor=supervisor_of, training=small, person=outsider)
    rows = {
        r.township.name: r for r in publicity_due(demo.users["bureau"], year=2026, today=datetime.date(2026, 8, 15))
    }
    cg, dh = rows["城关镇"], rows["河东镇"]
    assert cg.training_counts == [1, 0, 1, 0] and cg.training_states == [DONE, OVERDUE, DONE, DUE]
    assert dh.training_counts == [0, 1, 0, 0] and dh.training_states == [OVERDUE, DONE, DUE, DUE]
    assert (cg.comanagers, cg.short, cg.hours_state) == (2, [], DONE)
    assert dh.comanagers == 2 and {p.username for p in dh.short} == {"dh1", "dh2"} and dh.hours_state == DUE
    after_year = {
        r.township.name: r for r in publicity_due(demo.users["bureau"], year=2026, today=datetime.date(2027, 1, 5))
    }
    assert after_year["河东镇"].hours_state == OVERDUE and after_year["河东镇"].training_states[3] == OVERDUE
