"""Training hours through the API (issue 19 item 2): the hours page's
figures, each person's sessions, scoped like the pages."""

import re
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from xieguan.core.testing import assert_constant_queries
from xieguan.outreach.services import attendance_register, training_create

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_hours_of_the_callers_comanagers_and_one_persons_sessions(demo, api_token, township):
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    today = timezone.localdate()
    training = training_create(
        actor=cg1, area=township, level="township", topic="食品安全培训", date=today, hours=Decimal("3.5"), trainer="李"
    )
    attendance_register(actor=cg1, training=training, person=cg2)
    listed = Client().get(f"/api/training-hours?year={today.year}", **api_token(demo.users["inst"])).json()
    people = {p["name"]: p for p in listed["people"]}
    assert Decimal(people[cg2.full_name]["hours"]) == Decimal("3.5") and people[cg2.full_name]["short"] is True
    assert Decimal(listed["minimum"]) == Decimal(20)

    sessions = Client().get(f"/api/training-hours/{cg2.pk}", **api_token(cg1)).json()
    assert [s["topic"] for s in sessions["sessions"]] == ["食品安全培训"] and Decimal(sessions["total"]) == Decimal(
        "3.5"
    )

    beside = api_token(demo.users["dh1"])
    person = Client().get(f"/api/training-hours/{cg2.pk}", **beside)
    assert person.status_code == 404 and cg2.full_name not in person.content.decode()
    assert cg2.full_name not in Client().get("/api/training-hours", **beside).content.decode()
    bad = Client().get("/api/training-hours?year=abc", **api_token(cg1))
    assert bad.status_code == 422 and CHINESE.search(bad.json()["detail"])


def test_hours_list_costs_the_same_however_many_trainings(demo, api_token, township):
    cg1, cg2 = demo.users["cg1"], demo.users["cg2"]
    today = timezone.localdate()

    def grow():
        training = training_create(
            actor=cg1, area=township, level="township", topic="培训", date=today, hours=Decimal("1"), trainer="李"
        )
        attendance_register(actor=cg1, training=training, person=cg2)

    grow()
    headers = api_token(demo.users["inst"])
    assert_constant_queries(lambda: Client().get("/api/training-hours", **headers), grow, exactly=3)
