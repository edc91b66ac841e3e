"""Station visits feed the manual items (issue 23 item 3): a reviewer's
score page shows what the supervision visits found at the scored area's
stations within the assessment's period, and nothing of another area's or
another period's, at a cost that does not grow with the visits."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from xieguan.assessments import services
from xieguan.assessments.models import ItemKind
from xieguan.core.testing import assert_constant_queries

pytestmark = pytest.mark.django_db


def _visit(demo: Any, area: Any, day: datetime.date, findings: str) -> Any:
    return services.station_visit_create(
        actor=demo.users["inst"], area=area, visited_on=day, supervisors="李明华", findings=findings, score=88
    )


def test_the_score_page_shows_the_areas_visits_in_the_period(demo: Any, login: Any, assessment: Any) -> None:
    ours, theirs = demo.townships[0], demo.townships[1]
    _visit(demo, ours, datetime.date(2026, 3, 5), "台账不全")
    _visit(demo, ours, datetime.date(2025, 12, 20), "去年的问题")
    _visit(demo, theirs, datetime.date(2026, 3, 6), "别镇的问题")
    score = assessment.scores.filter(item__kind=ItemKind.MANUAL, area=ours).first()
    page = login(demo.users["inst"]).get(f"/assessment-scores/{score.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "考核期内的督导检查" in text
    assert "台账不全" in text and "2026-03-05" in text
    assert "去年的问题" not in text and "别镇的问题" not in text


def test_the_score_page_says_when_no_visit_was_made(demo: Any, login: Any, assessment: Any) -> None:
    score = assessment.scores.filter(item__kind=ItemKind.MANUAL, area=demo.townships[2]).first()
    text = login(demo.users["inst"]).get(f"/assessment-scores/{score.pk}/").content.decode()
    assert "考核期内没有督导检查记录。" in text


def test_the_score_page_costs_the_same_however_many_visits(demo: Any, login: Any, assessment: Any) -> None:
    ours = demo.townships[0]
    score = assessment.scores.filter(item__kind=ItemKind.MANUAL, area=ours).first()
    client = login(demo.users["inst"])
    assert_constant_queries(
        lambda: client.get(f"/assessment-scores/{score.pk}/"),
        lambda: [_visit(demo, ours, datetime.date(2026, 4, day), f"第{day}次") for day in range(1, 5)],
        exactly=11,
    )
