"""Attendance of people without an account (issue 20 item 10): school
doctors, water plant staff, a unit's staff — registered by the trainer or
signed in through the QR code by name, workplace and phone; counted in the
training's figures; the phone masked wherever it is shown."""

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.core.models import AuditEvent
from xieguan.core.registry import registry
from xieguan.monthly.periods import reporting_period
from xieguan.outreach import services
from xieguan.outreach.models import Attendance, Training
from xieguan.outreach.registrations import training_tally
from xieguan.outreach.tests.factories import make_training
from xieguan.units.tests.factories import make_unit

DAY = datetime.date(2026, 6, 10)


@pytest.fixture
def training(demo, comanager_in):
    return make_training(area=demo.townships[0], by=comanager_in, date=DAY, topic="学校卫生培训")


def guest(actor, training, **extra):
    data = {"name": "赵校医", "phone": "138 0000 5678", "workplace": "城关镇中心小学"}
    data.update(extra)
    return services.attendance_register_guest(actor=actor, training=training, **data)


# ---------------------------------------------------------------- services


def test_trainer_registers_a_guest_by_name_workplace_and_phone(demo, comanager_in, training):
    attendance, created = guest(comanager_in, training, score=Decimal(86))
    assert created and attendance.person is None and attendance.is_guest
    assert (attendance.name, attendance.workplace, attendance.phone) == ("赵校医", "城关镇中心小学", "13800005678")
    assert attendance.method == "registered" and attendance.score == Decimal(86)
    assert attendance.display_workplace == "城关镇中心小学" and attendance.masked_phone == "138****5678"
    event = AuditEvent.objects.get(action="attendance.register", object_id=str(attendance.pk))
    assert event.changes["phone"] == [None, "138****5678"] and "13800005678" not in json.dumps(event.changes)


def test_a_guest_registered_twice_is_one_attendance(demo, comanager_in, training):
    first, created = guest(comanager_in, training, id=uuid.uuid4())
    again, created_again = guest(comanager_in, training, phone="13800005678", id=uuid.uuid4())
    retried, created_retried = guest(comanager_in, training, id=first.pk)
    assert (created, created_again, created_retried) == (True, False, False)
    assert first.pk == again.pk == retried.pk
    # The same name with another phone is another person.
    other, other_created = guest(comanager_in, training, phone="0931-8812345")
    assert other_created and other.phone == "0931-8812345"
    assert Attendance.objects.count() == 2


def test_a_guest_at_a_registered_unit_shows_the_unit(demo, comanager_in, training):
    unit = make_unit(comanager_in, demo.villages[1], name="李家村供水站")
    attendance, _created = guest(comanager_in, training, name="钱师傅", workplace="", unit=unit)
    assert attendance.unit == unit and attendance.display_workplace == "李家村供水站"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"phone": "1380000"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"workplace": ""}, "workplace"),
        ({"score": Decimal(101)}, "score"),
    ],
)
def test_bad_guest_is_refused_in_chinese_and_nothing_is_kept(demo, comanager_in, training, change, field):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        guest(comanager_in, training, **change)
    assert field in caught.value.error_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(caught.value.messages))
    assert not Attendance.objects.exists() and AuditEvent.objects.count() == before


def test_a_unit_outside_the_training_area_is_refused(demo, comanager_in, outsider, supervisor_of, training):
    beside = make_unit(outsider, demo.townships[1], name="河东水厂")
    with pytest.raises(ValidationError) as caught:
        guest(supervisor_of, training, unit=beside)
    assert "unit" in caught.value.error_dict
    assert not Attendance.objects.exists()


def test_another_township_cannot_register_a_guest(demo, outsider, training):
    with pytest.raises(Http404):
        guest(outsider, training)
    with pytest.raises(PermissionDenied):
        guest(demo.users["city"], training)
    assert not Attendance.objects.exists()


def test_the_database_wants_a_person_or_a_name(demo, training):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(training=training, signed_at=timezone.now(), method="registered")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            training=training, person=demo.users["cun1"], name="赵校医", signed_at=timezone.now(), method="registered"
        )


def test_guest_self_sign_in_needs_the_token_and_an_open_day(demo, training):
    data = {"name": "孙厂长", "phone": "13912345678", "workplace": "县自来水厂"}
    with pytest.raises(Http404):
        services.attendance_sign_in_guest(training=training, token="wrong", today=DAY, **data)
    with pytest.raises(ValidationError):
        services.attendance_sign_in_guest(
            training=training, token=training.sign_in_token, today=DAY + datetime.timedelta(days=2), **data
        )
    assert not Attendance.objects.exists()
    first, created = services.attendance_sign_in_guest(
        training=training, token=training.sign_in_token, today=DAY, **data
    )
    again, created_again = services.attendance_sign_in_guest(
        training=training, token=training.sign_in_token, today=DAY, **data
    )
    assert (created, created_again) == (True, False) and first.pk == again.pk and first.method == "self"
    event = AuditEvent.objects.get(action="attendance.sign_in", object_id=str(first.pk))
    assert event.actor_id is None and event.area_path == training.area.path


def test_guests_count_in_the_training_figures(demo, comanager_in, training):
    services.attendance_register(actor=comanager_in, training=training, person=demo.users["cun1"])
    guest(comanager_in, training)
    guest(comanager_in, training, name="钱师傅", phone="13700001111")
    listed = Training.objects.for_list().get(pk=training.pk)
    assert listed.attendee_count == 3
    period = reporting_period(demo.townships[0], DAY.year, DAY.month)
    tally = list(training_tally(comanager_in, area=demo.townships[0], period=period, today=DAY))
    assert tally == [(training.area.path, {"trainings": 1, "trained": 3})]
    indicator = next(i for i in registry.indicators if i.code == "training")
    rate = indicator.value(comanager_in, area=demo.townships[0], period=period, today=DAY)
    assert rate.numerator == 1


# ---------------------------------------------------------------- pages


def test_trainer_registers_a_guest_on_the_training_page(demo, login, comanager_in, training):
    client = login(comanager_in)
    detail = client.get(reverse("outreach:training_detail", args=[training.pk])).content.decode()
    assert reverse("outreach:training_guest", args=[training.pk]) in detail
    assert "登记无账号参训人员" in detail and 'for="id_name">姓名 ' in detail
    response = client.post(
        reverse("outreach:training_guest", args=[training.pk]),
        {"name": "赵校医", "workplace": "城关镇中心小学", "phone": "13800005678", "unit": "", "score": ""},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "赵校医" in page and "城关镇中心小学" in page and "138****5678" in page
    assert "13800005678" not in page and "签到 1 人" in page


def test_a_bad_phone_on_the_page_keeps_what_was_typed(demo, login, comanager_in, training):
    response = login(comanager_in).post(
        reverse("outreach:training_guest", args=[training.pk]),
        {"name": "赵校医", "workplace": "城关镇中心小学", "phone": "1380000"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "11 位手机号" in page and 'value="赵校医"' in page and 'value="城关镇中心小学"' in page
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("dh1", 404), ("city", 403)])
def test_beside_and_above_read_only_cannot_register_a_guest(demo, login, training, who, status):
    client = login(demo.users[who])
    url = reverse("outreach:training_guest", args=[training.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"name": "越界", "workplace": "某校", "phone": "13800005678"}).status_code == status
    assert not Attendance.objects.exists()


def test_someone_without_an_account_signs_in_through_the_qr_code(demo, training):
    training.date = timezone.localdate()
    training.save()
    client = Client()
    url = reverse("outreach:training_sign_in", args=[training.pk, training.sign_in_token])
    page = client.get(url)
    assert page.status_code == 200 and 'name="phone"' in page.content.decode()
    data = {"name": "孙厂长", "workplace": "县自来水厂", "phone": "13912345678"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert "孙厂长，签到成功" in client.get(response["Location"]).content.decode()
    assert client.post(url, data).status_code == 302
    attendance = Attendance.objects.get()
    assert attendance.person is None and attendance.method == "self" and attendance.workplace == "县自来水厂"


def test_a_guest_with_a_bad_phone_or_a_wrong_token_changes_nothing(demo, login, outsider, training):
    training.date = timezone.localdate()
    training.save()
    data = {"name": "孙厂长", "workplace": "县自来水厂", "phone": "1380000"}
    right = reverse("outreach:training_sign_in", args=[training.pk, training.sign_in_token])
    response = Client().post(right, data)
    assert response.status_code == 200 and 'value="孙厂长"' in response.content.decode()
    wrong = reverse("outreach:training_sign_in", args=[training.pk, "not-the-token"])
    data["phone"] = "13912345678"
    assert Client().get(wrong).status_code == 404
    assert Client().post(wrong, data).status_code == 404
    assert login(outsider).post(wrong).status_code == 404
    assert not Attendance.objects.exists()


# ---------------------------------------------------------------- API


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


GUEST = {"name": "赵校医", "workplace": "城关镇中心小学", "phone": "13800005678"}


@pytest.mark.parametrize(
    ("who", "status", "made"),
    [("cg1", 201, 1), ("inst", 201, 1), ("bureau", 201, 1), ("dh1", 404, 0), ("city", 403, 0)],
)
def test_api_guest_inside_above_and_beside(demo, api_token, training, who, status, made):
    response = post_json(Client(), f"/api/trainings/{training.pk}/guests", GUEST, **api_token(demo.users[who]))
    assert response.status_code == status
    assert Attendance.objects.count() == made
    if status == 201:
        body = response.json()
        assert body["is_guest"] and body["person_id"] is None and body["person_name"] == "赵校医"
        assert body["phone"] == "138****5678" and body["workplace"] == "城关镇中心小学"


def test_api_guest_is_idempotent_on_the_client_id(demo, api_token, comanager_in, training):
    url = f"/api/trainings/{training.pk}/guests"
    body = {**GUEST, "id": str(uuid.uuid4())}
    first = post_json(Client(), url, body, **api_token(comanager_in))
    again = post_json(Client(), url, body, **api_token(comanager_in))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == body["id"]
    assert Attendance.objects.count() == 1
    detail = Client().get(f"/api/trainings/{training.pk}", **api_token(comanager_in)).json()
    assert detail["attendee_count"] == 1


@pytest.mark.parametrize("change", [{"phone": "1380000"}, {"name": ""}, {"workplace": ""}])
def test_api_bad_guest_is_422_in_chinese(demo, api_token, comanager_in, training, change):
    response = post_json(
        Client(), f"/api/trainings/{training.pk}/guests", {**GUEST, **change}, **api_token(comanager_in)
    )
    assert response.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    assert not Attendance.objects.exists()


def test_api_guest_at_a_unit_of_another_township_is_refused(demo, api_token, comanager_in, outsider, training):
    beside = make_unit(outsider, demo.townships[1], name="河东水厂")
    response = post_json(
        Client(),
        f"/api/trainings/{training.pk}/guests",
        {**GUEST, "workplace": "", "unit_id": str(beside.pk)},
        **api_token(comanager_in),
    )
    assert response.status_code == 422 and "unit_id" in response.json()["fields"]
    assert not Attendance.objects.exists()


def test_one_network_cannot_flood_a_training_with_guests(demo, training, settings):
    """The QR link is public: past the hourly limit per address a sign-in is
    refused with a Chinese message, what was typed stays, nothing is added;
    another address still signs in."""
    from django.core.cache import cache

    cache.clear()
    settings.OUTREACH_GUEST_SIGN_IN_LIMIT = 2
    training.date = timezone.localdate()
    training.save()
    url = reverse("outreach:training_sign_in", args=[training.pk, training.sign_in_token])
    hall = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(2):
        data = {"name": f"村民{n}", "workplace": "李家村", "phone": f"1391234567{n}"}
        assert hall.post(url, data).status_code == 302
    refused = hall.post(url, {"name": "村民九", "workplace": "李家村", "phone": "13912345679"})
    page = refused.content.decode()
    assert refused.status_code == 200 and "同一网络签到次数过多" in page and 'value="村民九"' in page
    assert Attendance.objects.filter(training=training).count() == 2
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(url, {"name": "村民九", "workplace": "李家村", "phone": "13912345679"}).status_code == 302
    assert Attendance.objects.filter(training=training).count() == 3
    cache.clear()
