"""Checklist analytics: failure counts and rates per item, category and township, scoped."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from xieguan.inspections.models import Answer, ChecklistItem, InspectionAnswer
from xieguan.risk.analytics import item_failures
from xieguan.risk.tests.factories import bulk_units, inspect

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 4, 10)


def test_failure_rate_per_item_by_category_and_township(demo, login, api_token):
    a, b = bulk_units(demo, 2, opened_on=datetime.date(2025, 1, 1))
    first = inspect(demo, a, DAY)
    item = ChecklistItem.objects.create(template=first.template, code="1.2", text="健康证持证上岗", sort=1)
    other = ChecklistItem.objects.create(template=first.template, code="1.3", text="消毒记录", sort=2)
    second = inspect(demo, b, DAY)
    third = inspect(demo, b, DAY + datetime.timedelta(days=40))
    for inspection, result in ((first, Answer.FAILS), (second, Answer.FAILS), (third, Answer.CONFORMS)):
        InspectionAnswer.objects.create(inspection=inspection, item=item, result=result)
        InspectionAnswer.objects.create(inspection=inspection, item=other, result=Answer.NOT_APPLICABLE)
    rows = item_failures(demo.users["bureau"], year=2026)
    assert rows == [
        {
            "code": "1.2",
            "text": "健康证持证上岗",
            "category": a.category.name,
            "township": demo.townships[0].name,
            "answered": 3,
            "failed": 2,
            "rate": pytest.approx(2 / 3),
        }
    ]
    assert item_failures(demo.users["bureau"], year=2026, month=5) == []
    assert item_failures(demo.users["dh1"], year=2026) == []  # beside: nothing of 城关镇
    page = login(demo.users["cg1"]).get(reverse("risk:checklists") + "?year=2026").content.decode()
    assert "健康证持证上岗" in page and "67%" in page
    api = Client().get("/api/risk/checklist-failures?year=2026", **api_token(demo.users["inst"]))
    assert api.status_code == 200 and api.json()[0]["failed"] == 2
    assert Client().get("/api/risk/checklist-failures?year=1900", **api_token(demo.users["inst"])).status_code == 422
