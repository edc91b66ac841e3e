"""A report's nature (事故/隐患 or 违法行为) for the monthly report's split rows:
chosen on the form, optional in the API (the category's default)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from xieguan.reports import services
from xieguan.reports.models import Report, ReportCategory


def _post(client, data, headers):
    return client.post("/api/reports", json.dumps(data), content_type="application/json", **headers)


def _payload(**extra):
    data = {
        "category": "illegal_practice",
        "found_at": (timezone.now() - datetime.timedelta(minutes=20)).isoformat(),
        "place": "王庄村东头民房",
        "content": "疑似无证行医",
    }
    data.update(extra)
    return data


def test_seeded_categories_carry_their_usual_nature(db):
    natures = dict(ReportCategory.objects.filter(county__isnull=True).values_list("code", "default_nature"))
    assert natures["illegal_practice"] == natures["family_planning"] == "violation"
    assert {natures[c] for c in ("foodborne", "drinking_water", "emergency", "school", "occupational")} == {"hazard"}


@pytest.mark.parametrize(
    ("extra", "nature"),
    [
        ({}, "violation"),  # the field app's offline form sends no nature
        ({"nature": None}, "violation"),
        ({"category": "drinking_water"}, "hazard"),
        ({"category": "food_safety", "nature": "violation"}, "violation"),
    ],
)
def test_api_nature_defaults_from_the_category(demo, client, api_token, extra, nature):
    response = _post(client, _payload(**extra), api_token(demo.users["cg1"]))
    assert response.status_code == 201 and response.json()["nature"] == nature
    assert Report.objects.get().nature == nature


def test_api_refuses_an_unknown_nature_in_chinese(demo, client, api_token):
    response = _post(client, _payload(nature="accident"), api_token(demo.users["cg1"]))
    assert response.status_code == 422 and response.json()["detail"]
    assert not Report.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.report_create(
            actor=demo.users["cg1"],
            category="food_safety",
            found_at=timezone.now(),
            place="集市",
            content="无证经营",
            nature="accident",
        )
    assert "事故/隐患还是违法行为" in str(exc.value)


def test_api_categories_say_their_default_nature(demo, client, api_token):
    rows = client.get("/api/report-categories", **api_token(demo.users["cg1"])).json()
    assert {r["code"]: r["default_nature"] for r in rows}["family_planning"] == "violation"


def test_form_lets_the_reporter_choose_the_nature(demo, login):
    client = login(demo.users["cg1"])
    page = client.get(reverse("reports:create"))
    assert 'name="nature"' in page.text and "违法行为" in page.text
    found = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(minutes=30)
    response = client.post(
        reverse("reports:create"),
        {
            "category": "food_safety",
            "found_at": found.strftime("%Y-%m-%dT%H:%M"),
            "place": "集贸市场",
            "content": "无证经营熟食",
            "affected_count": 0,
            "nature": "violation",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.nature == "violation"
    assert "违法行为" in client.get(reverse("reports:detail", args=[report.pk])).text


def test_county_override_keeps_the_default_nature(demo):
    default = ReportCategory.objects.get(county__isnull=True, code="family_planning")
    own = services.category_save(
        actor=demo.users["bureau"],
        county=demo.county,
        name="计划生育（本县）",
        is_emergency=False,
        limit_minutes=720,
        category=default,
    )
    assert own.county == demo.county and own.default_nature == "violation"
