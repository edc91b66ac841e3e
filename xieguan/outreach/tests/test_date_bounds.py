"""Issue 17 finding 7: a publicity record dated 2000-01-01 was accepted, a
training dated 2099-12-31 too. Dates of work done lie between 1 January
2000 and today, on the pages and the API; nothing is saved otherwise."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from xieguan.outreach import services
from xieguan.outreach.models import Outreach, Training
from xieguan.outreach.tests.factories import make_outreach, make_training
from xieguan.outreach.tests.test_api import payload as outreach_payload
from xieguan.outreach.tests.test_api import post_json
from xieguan.outreach.tests.test_training_api import payload as training_payload
from xieguan.outreach.tests.test_views import form_data as outreach_form

TOO_EARLY, TOO_LATE = "1999-12-31", "2099-12-31"
MESSAGES = {TOO_EARLY: "日期不能早于2000年1月1日", TOO_LATE: "日期不能晚于今天"}


def training_form(area, **extra):
    data = {"area": str(area.pk), "level": "township", "topic": "信息员培训", "date": "2026-06-01", "hours": "3"}
    data.update({"trainer": "王秀兰", "materials": ""}, **extra)
    return data


@pytest.mark.parametrize("date", [TOO_EARLY, TOO_LATE])
def test_publicity_out_of_bounds_is_refused_on_the_page_and_the_api(demo, login, api_token, comanager_in, date):
    page = login(comanager_in).post(reverse("outreach:create"), outreach_form(demo.townships[0], date=date))
    assert page.status_code == 200 and MESSAGES[date] in page.content.decode()
    api = post_json(
        Client(), "/api/outreach", outreach_payload(demo.townships[0], date=date), **api_token(comanager_in)
    )
    assert api.status_code == 422 and MESSAGES[date] in api.json()["fields"]["date"][0]
    assert not Outreach.objects.exists()


def _record(actor, area, date):
    return services.outreach_create(
        actor=actor, area=area, date=date, place="集贸市场", form="leaflets", theme="公共场所卫生"
    )


def test_1_january_2000_is_the_first_day_the_service_accepts(demo, comanager_in):
    with pytest.raises(ValidationError) as caught:
        _record(comanager_in, demo.townships[0], datetime.date(1999, 12, 31))
    assert MESSAGES[TOO_EARLY] in caught.value.message_dict["date"][0]
    assert not Outreach.objects.exists()
    assert _record(comanager_in, demo.townships[0], datetime.date(2000, 1, 1)).pk


@pytest.mark.parametrize("date", [TOO_EARLY, TOO_LATE])
def test_training_out_of_bounds_is_refused_on_the_page_and_the_api(demo, login, api_token, comanager_in, date):
    page = login(comanager_in).post(reverse("outreach:training_create"), training_form(demo.townships[0], date=date))
    assert page.status_code == 200 and MESSAGES[date] in page.content.decode()
    api = post_json(
        Client(), "/api/trainings", training_payload(demo.townships[0], date=date), **api_token(comanager_in)
    )
    assert api.status_code == 422 and MESSAGES[date] in api.json()["fields"]["date"][0]
    assert not Training.objects.exists()


def test_corrections_cannot_move_a_record_out_of_bounds(demo, login, comanager_in):
    record = make_outreach(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 5, 10))
    training = make_training(area=demo.townships[0], by=comanager_in, date=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError):
        services.outreach_update(actor=comanager_in, record=record, date=datetime.date(2099, 12, 31))
    with pytest.raises(ValidationError):
        services.training_update(actor=comanager_in, training=training, date=datetime.date(1999, 1, 1))
    record.refresh_from_db()
    training.refresh_from_db()
    assert record.date == datetime.date(2026, 5, 10) and training.date == datetime.date(2026, 6, 1)
