"""Editing a draft scheme (its awards, its items' weights and rules) from the
pages and through ``PATCH``; a scheme in use is refused in Chinese and left
unchanged (it is revised as a new version)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from xieguan.assessments import services
from xieguan.assessments.models import AssessmentItem, AssessmentScheme, ItemKind
from xieguan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(demo: Any) -> AssessmentScheme:
    bureau = demo.users["bureau"]
    made = services.scheme_create(
        actor=bureau,
        area=demo.county,
        name="草稿方案",
        award_tiers=[{"name": "一等奖", "count": 1, "coefficient": "1.2"}],
    )
    services.scheme_item_add(actor=bureau, scheme=made, name="两表一书", max_score=Decimal(30))
    return made


def test_bureau_edits_a_draft_scheme_and_an_item_from_the_pages(demo, login, draft):
    client = login(demo.users["bureau"])
    page = client.get(f"/assessment-schemes/{draft.pk}/")
    assert f"/assessment-schemes/{draft.pk}/edit/".encode() in page.content
    form = client.get(f"/assessment-schemes/{draft.pk}/edit/")
    assert form.status_code == 200 and "一等奖 1 1.20".encode() in form.content
    response = client.post(
        f"/assessment-schemes/{draft.pk}/edit/",
        {
            "name": "改过的方案",
            "period_kind": "year",
            "award_mode": "thresholds",
            "award_tiers": "优秀 90 1.2\n良好 80 1.1",
            "fund_formula": "tiers",
            "appeal_days": 7,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name, draft.period_kind, draft.fund_formula, draft.appeal_days) == ("改过的方案", "year", "tiers", 7)
    assert draft.award_tiers == [
        {"name": "优秀", "coefficient": "1.20", "min_score": "90.00"},
        {"name": "良好", "coefficient": "1.10", "min_score": "80.00"},
    ]
    event = AuditEvent.objects.filter(action="scheme.update").get()
    assert event.changes["name"] == ["草稿方案", "改过的方案"]

    item = draft.items.get()
    assert client.get(f"/assessment-items/{item.pk}/edit/").status_code == 200
    response = client.post(
        f"/assessment-items/{item.pk}/edit/",
        {"name": "日常巡查", "max_score": "45", "kind": "auto", "indicator_code": "coverage", "rule": "tiers",
         "tiers": "90 100\n60 50"},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.max_score, item.kind, item.indicator_code) == ("日常巡查", Decimal(45), "auto", "coverage")
    assert item.tiers == [["90.00", "100.00"], ["60.00", "50.00"]]
    assert AuditEvent.objects.filter(action="scheme_item.update", object_id=str(item.pk)).count() == 1


def test_a_bad_item_edit_comes_back_in_chinese_and_changes_nothing(demo, login, draft):
    client = login(demo.users["bureau"])
    item = draft.items.get()
    response = client.post(
        f"/assessment-items/{item.pk}/edit/",
        {"name": "日常巡查", "max_score": "20", "kind": "auto", "indicator_code": "", "rule": "threshold"},
    )
    assert response.status_code == 200 and "请选择一个已登记的指标".encode() in response.content
    item.refresh_from_db()
    assert (item.name, item.max_score) == ("两表一书", Decimal(30))
    assert not AuditEvent.objects.filter(action="scheme_item.update").exists()


def test_the_pages_refuse_to_edit_a_scheme_in_use(demo, login, scheme):
    client = login(demo.users["bureau"])
    assert b"/edit/" not in client.get(f"/assessment-schemes/{scheme.pk}/").content
    before = (scheme.name, scheme.award_tiers)
    response = client.post(
        f"/assessment-schemes/{scheme.pk}/edit/", {"name": "偷改", "period_kind": "year"}, follow=True
    )
    assert "方案已启用，不能再修改".encode() in response.content
    item = scheme.items.first()
    response = client.post(f"/assessment-items/{item.pk}/edit/", {"name": "偷改", "max_score": "1"}, follow=True)
    assert "方案已启用，不能再修改".encode() in response.content
    scheme.refresh_from_db()
    assert (scheme.name, scheme.award_tiers) == before and scheme.items.filter(name="偷改").count() == 0


def test_patch_edits_a_draft_and_its_item_and_is_audited(demo, api_token, draft):
    bureau = api_token(demo.users["bureau"])
    response = Client().patch(
        f"/api/assessment-schemes/{draft.pk}",
        {"award_tiers": [{"name": "一等奖", "count": 2, "coefficient": "1.3"}], "appeal_days": 10},
        content_type="application/json",
        **bureau,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "草稿方案" and body["appeal_days"] == 10
    assert body["award_tiers"] == [{"name": "一等奖", "count": 2, "coefficient": "1.30"}]
    item = draft.items.get()
    response = Client().patch(
        f"/api/assessment-schemes/{draft.pk}/items/{item.pk}",
        {"max_score": "35.5", "guidance": "查阅台账"},
        content_type="application/json",
        **bureau,
    )
    assert response.status_code == 200, response.content
    assert response.json()["max_score"] in ("35.50", "35.5") and response.json()["name"] == "两表一书"
    item.refresh_from_db()
    assert item.max_score == Decimal("35.5") and item.guidance == "查阅台账"
    assert AuditEvent.objects.filter(action__in=["scheme.update", "scheme_item.update"]).count() == 2


def test_patch_on_a_scheme_in_use_is_refused_in_chinese_and_nothing_changes(demo, api_token, scheme):
    bureau = api_token(demo.users["bureau"])
    events = AuditEvent.objects.count()
    response = Client().patch(
        f"/api/assessment-schemes/{scheme.pk}", {"name": "偷改"}, content_type="application/json", **bureau
    )
    assert response.status_code == 409  # the scheme's state, not the data sent (StateConflict)
    assert "方案已启用，不能再修改" in response.json()["detail"]
    item = scheme.items.filter(kind=ItemKind.MANUAL).first()
    response = Client().patch(
        f"/api/assessment-schemes/{scheme.pk}/items/{item.pk}",
        {"max_score": "99"},
        content_type="application/json",
        **bureau,
    )
    assert response.status_code == 409 and "新版本" in response.json()["detail"]
    scheme.refresh_from_db()
    item.refresh_from_db()
    assert scheme.name == "测试考核方案" and item.max_score == Decimal(30)
    assert AuditEvent.objects.count() == events


def test_a_township_cannot_edit_the_county_draft(demo, api_token, draft):
    response = Client().patch(
        f"/api/assessment-schemes/{draft.pk}",
        {"name": "越界"},
        content_type="application/json",
        **api_token(demo.users["cg1"]),
    )
    assert response.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.name == "草稿方案"
    assert AssessmentItem.objects.filter(scheme=draft, name="越界").count() == 0
