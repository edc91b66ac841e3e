"""Issue 17 finding 7: an inspection or re-inspection dated before 2000 is
refused in Chinese on the page and the API, and nothing is saved."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xieguan.inspections.models import Inspection, Reinspection
from xieguan.inspections.services.followups import reinspection_record
from xieguan.inspections.services.opinions import opinion_issue
from xieguan.inspections.tests.factories import plain_unit, submitted
from xieguan.inspections.tests.test_api import post_json, start

TOO_EARLY = timezone.make_aware(datetime.datetime(1999, 12, 31, 10, 0))
MESSAGE = "日期不能早于2000年1月1日"


@pytest.fixture
def cg2(demo):
    return demo.users["cg2"]


@pytest.fixture
def unit(township):
    return plain_unit(township, name="城关镇红星宾馆")


def test_an_inspection_before_2000_is_refused_on_the_page_and_the_api(demo, login, api_token, comanager_in, cg2, unit):
    page = login(comanager_in).post(
        reverse("inspections:create"),
        {
            "unit": str(unit.pk),
            "started_at": "1999-12-31T10:00",
            "inspectors": [str(comanager_in.pk), str(cg2.pk)],
            "place": "",
        },
    )
    assert page.status_code == 200 and MESSAGE in page.content.decode()
    api = post_json(
        Client(),
        "/api/inspections",
        start(unit, comanager_in, cg2, started_at=TOO_EARLY.isoformat()),
        **api_token(comanager_in),
    )
    assert api.status_code == 422 and MESSAGE in api.json()["fields"]["started_at"][0]
    assert not Inspection.objects.exists()


def test_a_reinspection_before_2000_is_refused(demo, api_token, comanager_in, cg2, unit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = submitted(comanager_in, unit, inspectors=[comanager_in, cg2], fails=1)
    opinion = opinion_issue(actor=comanager_in, inspection=record, text="请整改", deadline=timezone.localdate())
    with pytest.raises(ValidationError) as caught:
        reinspection_record(
            actor=comanager_in,
            opinion=opinion,
            inspected_at=TOO_EARLY,
            result="rectified",
            inspectors=[comanager_in, cg2],
        )
    assert MESSAGE in caught.value.message_dict["inspected_at"][0]
    api = post_json(
        Client(),
        "/api/reinspections",
        {
            "id": str(uuid.uuid4()),
            "opinion_id": str(opinion.pk),
            "inspected_at": TOO_EARLY.isoformat(),
            "result": "rectified",
            "inspector_ids": [str(comanager_in.pk), str(cg2.pk)],
        },
        **api_token(comanager_in),
    )
    assert api.status_code == 422 and MESSAGE in api.json()["fields"]["inspected_at"][0]
    assert not Reinspection.objects.exists()
