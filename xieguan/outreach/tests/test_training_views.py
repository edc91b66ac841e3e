import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from xieguan.core.testing import assert_constant_queries
from xieguan.outreach import services
from xieguan.outreach.models import Attendance, Training
from xieguan.outreach.tests.factories import make_training


@pytest.fixture
def training(demo, comanager_in):
    return make_training(
        area=demo.townships[0], by=comanager_in, date=timezone.localdate(), topic="食品安全信息报告培训"
    )


def test_reading_a_training_inside_and_above(login, training, inside_or_above):
    response = login(inside_or_above).get(reverse("outreach:training_detail", args=[training.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "食品安全信息报告培训" in page and "<svg" in page and training.sign_in_token in page


@pytest.mark.parametrize(
    ("who", "status", "made"), [("cg1", 302, 1), ("inst", 302, 1), ("bureau", 302, 1), ("dh1", 404, 0)]
)
def test_registering_an_attendee_inside_above_and_beside(demo, login, training, who, status, made):
    response = login(demo.users[who]).post(
        reverse("outreach:training_detail", args=[training.pk]), {"person": str(demo.users["cun1"].pk), "score": "88"}
    )
    assert response.status_code == status
    assert Attendance.objects.count() == made


def test_registering_twice_gives_one_attendance(demo, login, training, comanager_in):
    client = login(comanager_in)
    for _ in range(2):
        client.post(reverse("outreach:training_detail", args=[training.pk]), {"person": str(demo.users["cun1"].pk)})
    assert Attendance.objects.filter(training=training).count() == 1


def test_creating_a_training_keeps_input_on_error(demo, login, comanager_in):
    data = {
        "area": str(demo.townships[0].pk),
        "level": "county",
        "topic": "信息员培训",
        "date": "2026-06-01",
        "hours": "3",
        "trainer": "王秀兰",
        "materials": "",
    }
    response = login(comanager_in).post(reverse("outreach:training_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "县级培训" in page and 'value="信息员培训"' in page
    assert not Training.objects.exists()
    data["level"] = "township"
    assert login(comanager_in).post(reverse("outreach:training_create"), data).status_code == 302
    assert Training.objects.get().topic == "信息员培训"


def test_village_officer_signs_in_through_the_qr_link_once(demo, login, training):
    cun1 = demo.users["cun1"]
    url = reverse("outreach:training_sign_in", args=[training.pk, training.sign_in_token])
    client = login(cun1)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    attendance = Attendance.objects.get()
    assert attendance.person == cun1 and attendance.method == "self"


def test_sign_in_with_a_wrong_token_or_from_outside_changes_nothing(demo, login, training, outsider):
    wrong = reverse("outreach:training_sign_in", args=[training.pk, "nope"])
    assert login(demo.users["cun1"]).post(wrong).status_code == 404
    right = reverse("outreach:training_sign_in", args=[training.pk, training.sign_in_token])
    response = login(outsider).post(right)
    assert response.status_code == 200 and "不在" in response.content.decode()
    assert not Attendance.objects.exists()


def test_training_list_is_scoped_with_constant_queries(demo, login, comanager_in, outsider, supervisor_of):
    make_training(area=demo.townships[1], by=outsider, date=datetime.date(2026, 2, 1), topic="河东培训")
    assert "河东培训" not in login(comanager_in).get(reverse("outreach:training_list")).content.decode()
    client = login(demo.users["bureau"])

    def grow():
        for i in range(4):
            t = make_training(area=demo.county, by=supervisor_of, date=datetime.date(2026, 3, 1 + i))
            services.attendance_register(actor=supervisor_of, training=t, person=comanager_in)

    assert_constant_queries(lambda: client.get(reverse("outreach:training_list")), grow, exactly=10)


def test_hours_page_marks_who_is_short(demo, login, supervisor_of, comanager_in):
    year = timezone.localdate().year
    t = make_training(area=demo.county, by=supervisor_of, date=datetime.date(year, 1, 10), hours="20")
    services.attendance_register(actor=supervisor_of, training=t, person=comanager_in)
    page = login(demo.users["bureau"]).get(reverse("outreach:hours")).content.decode()
    assert "王秀兰" in page and "赵春梅" in page
    assert "20.0 学时" in page and "0.0 学时 — 不足" in page
    own = login(comanager_in).get(reverse("outreach:hours")).content.decode()
    assert "王秀兰" in own and "赵春梅" not in own


def test_hours_list_query_count_does_not_grow(demo, login, supervisor_of, comanager_in, outsider):
    client = login(demo.users["bureau"])

    def grow():
        for i, person in enumerate([comanager_in, outsider, demo.users["cg2"]]):
            t = make_training(area=demo.county, by=supervisor_of, date=datetime.date(2026, 4, 1 + i))
            services.attendance_register(actor=supervisor_of, training=t, person=person)

    assert_constant_queries(lambda: client.get(reverse("outreach:hours") + "?year=2026"), grow, exactly=9)


def test_person_hours_inside_and_above(demo, login, supervisor_of, comanager_in, inside_or_above):
    t = make_training(
        area=demo.county, by=supervisor_of, date=datetime.date(2026, 5, 1), hours="6", topic="协管员岗位培训"
    )
    services.attendance_register(actor=supervisor_of, training=t, person=comanager_in)
    response = login(inside_or_above).get(reverse("outreach:hours_person", args=[comanager_in.pk]) + "?year=2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert "协管员岗位培训" in page and Decimal("6") == t.hours
