from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from xieguan.assessments import services
from xieguan.assessments.models import ItemKind


@pytest.fixture
def scheme(demo: Any) -> Any:
    """A small county scheme in use: an automatic item on 建档率 and two manual items."""
    bureau = demo.users["bureau"]
    made = services.scheme_create(
        actor=bureau,
        area=demo.county,
        name="测试考核方案",
        award_tiers=[
            {"name": "一等奖", "count": 1, "coefficient": "1.2"},
            {"name": "二等奖", "count": 1, "coefficient": "1.1"},
        ],
    )
    services.scheme_item_add(
        actor=bureau,
        scheme=made,
        name="监督对象台账",
        max_score=Decimal(40),
        kind=ItemKind.AUTO,
        indicator_code="filing",
        target=Decimal(95),
        floor=Decimal(60),
    )
    services.scheme_item_add(actor=bureau, scheme=made, name="两表一书", max_score=Decimal(30))
    services.scheme_item_add(actor=bureau, scheme=made, name="协管站管理", max_score=Decimal(30))
    services.scheme_publish(actor=bureau, scheme=made)
    return made


@pytest.fixture
def assessment(demo: Any, scheme: Any) -> Any:
    """A started assessment of the first three townships, the manual items given to inst."""
    bureau = demo.users["bureau"]
    for township, people in zip(demo.townships[:3], [30000, 20000, 10001], strict=True):
        services.population_save(actor=bureau, area=township, year=2026, population=people, source="测试")
    made = services.assessment_create(
        actor=bureau,
        scheme=scheme,
        name="2026年上半年考核",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
        areas=demo.townships[:3],
        budget_mode="entered",
        budget=Decimal("10000.01"),
    )
    for item in scheme.items.filter(kind=ItemKind.MANUAL):
        services.reviewer_assign(actor=bureau, assessment=made, item=item, reviewer=demo.users["inst"])
    services.assessment_start(actor=bureau, assessment=made, today=datetime.date(2026, 7, 5))
    return made


def score_all(demo: Any, assessment: Any, value: Decimal = Decimal(25)) -> None:
    for s in assessment.scores.filter(item__kind=ItemKind.MANUAL).select_related("item", "assessment"):
        services.item_score_set(actor=demo.users["inst"], score=s, value=value, notes="查阅台账")
